/** payctl's own cache directory: $XDG_CACHE_HOME/payctl, else ~/.cache/payctl (never a project's directory). */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(env: NodeJS.ProcessEnv): string {
  return env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, 'payctl') : join(homedir(), '.cache', 'payctl');
}

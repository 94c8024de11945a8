/** Who is acting: PAYCTL_ACTOR, else git user.name, else the OS user. */
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';

let cached: string | undefined;

export function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PAYCTL_ACTOR) return env.PAYCTL_ACTOR;
  if (cached) return cached;
  try {
    const name = execFileSync('git', ['config', 'user.name'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (name) return (cached = name);
  } catch {
    // no git, or no user.name: fall through
  }
  try {
    cached = userInfo().username || 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}

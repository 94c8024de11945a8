/**
 * How the person in front of the terminal runs payctl, for hints that print a
 * command: `npx payctl` when they ran it through npx, `payctl` when a `payctl`
 * on their PATH is this installation (installed globally), `npx payctl` inside
 * the clone, else node with the path to bin/payctl.cjs.
 */
import { realpathSync, statSync } from 'node:fs';
import { delimiter, join, relative, isAbsolute } from 'node:path';
import { packageRoot } from './package-root.js';

export function payctlCommand(env: NodeJS.ProcessEnv, cwd: string): string {
  const root = packageRoot();
  if (env.npm_command === 'exec') return 'npx payctl';
  const bin = real(join(root, 'bin', 'payctl.cjs'));
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'payctl');
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile() && real(candidate) === bin) return 'payctl';
  }
  const inside = relative(root, cwd);
  if (!inside.startsWith('..') && !isAbsolute(inside)) return 'npx payctl';
  return `node ${join(root, 'bin', 'payctl.cjs')}`;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

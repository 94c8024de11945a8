/**
 * Who is acting: PAYCTL_ACTOR, else git user.name, else the OS user.
 *
 * Asking git means starting a process (~5 ms). It is asked once per process,
 * in the background: commands that write a timeline call actorName() as they
 * start, and the answer is there by the time the first event is written.
 * child_process is loaded only then (~2.5 ms of a start that names its actor).
 */
import { userInfo } from 'node:os';

let lookup: Promise<string> | undefined;

export function actorName(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.PAYCTL_ACTOR) return Promise.resolve(env.PAYCTL_ACTOR);
  lookup ??= import('node:child_process').then(
    ({ execFile }) =>
      new Promise<string>((resolve) => {
        execFile('git', ['config', 'user.name'], { encoding: 'utf8', timeout: 2000 }, (err, stdout) => {
          const name = err ? '' : stdout.trim();
          resolve(name || osUser());
        });
      }),
  );
  return lookup;
}

function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

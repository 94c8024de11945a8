/**
 * Who is acting: PAYCTL_ACTOR, else git user.name, else the OS user. A name
 * is normalised (trimmed, inner whitespace collapsed to one space), so the same
 * person cannot pass as another by spacing (' alice ' is alice); a
 * PAYCTL_ACTOR that is only whitespace counts as unset.
 *
 * Asking git means starting a process (~5 ms). It is asked once per process,
 * in the background: commands that write a timeline call actorName() as they
 * start, and the answer is there by the time the first event is written.
 * child_process is loaded only then (~2.5 ms of a start that names its actor).
 */
import { userInfo } from 'node:os';

let lookup: Promise<string> | undefined;

export function actorName(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const given = normalActorName(env.PAYCTL_ACTOR ?? '');
  if (given) return Promise.resolve(given);
  lookup ??= import('node:child_process').then(
    ({ execFile }) =>
      new Promise<string>((resolve) => {
        execFile('git', ['config', 'user.name'], { encoding: 'utf8', timeout: 2000 }, (err, stdout) => {
          const name = err ? '' : normalActorName(stdout);
          resolve(name || normalActorName(osUser()) || 'unknown');
        });
      }),
  );
  return lookup;
}

/** A person's name as payctl records and compares it: trimmed, inner whitespace one space. */
export function normalActorName(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}

function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

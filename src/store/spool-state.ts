/**
 * What the entry needs to know about the store without loading it: whether
 * this command's events went to the local spool (--json documents then say
 * "store": "spooled"), and what to do before the process exits (push the
 * spool, close connections).
 */
let spooled = false;
const atExit: (() => Promise<void>)[] = [];

export function markSpooled(): void {
  spooled = true;
}

export function isSpooled(): boolean {
  return spooled;
}

/** Run before the process exits (cli.ts main), in order; failures are the callback's to report. */
export function beforeExit(fn: () => Promise<void>): void {
  atExit.push(fn);
}

export async function runBeforeExit(): Promise<void> {
  for (const fn of atExit.splice(0)) await fn().catch(() => undefined);
}

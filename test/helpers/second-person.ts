/**
 * What the second-person gate tests share: the `offline` playbook whose
 * checkout_off step waits for someone other than its runner, payctl at a
 * pseudo-terminal as one person (so the run waits at the gate), and the
 * incident id a run prints.
 */
import { payctlInTerminal, type Terminal } from './terminal.js';

/** identify, then checkout_off behind a second-person gate, then done. */
export const OFFLINE_PLAYBOOK = `
id: offline
title: Card testing attack
steps:
  - { id: identify, type: set_status, title: Identify, status: identified }
  - id: checkout_off
    type: set_status
    title: Take checkout offline
    status: monitoring
    confirm: { message: "Take checkout offline?", second_person: true }
  - { id: done, type: set_status, title: Done, status: resolved }
`;

/** The terminals personAtTerminal opened and killAbandonedTerminals has not killed yet. */
const opened: Terminal[] = [];

/**
 * payctl in a pseudo-terminal as `actor`: a person at the terminal, so the run
 * waits at the gate. waitFor waits `waitMs` unless told. Call
 * killAbandonedTerminals in afterEach.
 */
export function personAtTerminal(dir: string, args: string[], actor: string, env: Record<string, string>, waitMs = 15_000): Terminal {
  const t = payctlInTerminal(args, { cwd: dir, cols: 160, rows: 50, env: { PAYCTL_ACTOR: actor, NO_COLOR: '1', ...env } });
  opened.push(t);
  return { ...t, waitFor: (text, ms = waitMs) => t.waitFor(text, ms) };
}

/** SIGKILLs, and waits for, each terminal still running after a test (one that failed before its run ended). */
export async function killAbandonedTerminals(): Promise<void> {
  await Promise.all(
    opened.splice(0).map(async (t) => {
      if ((await t.exitedWithin(0)) === 'hung') await t.exited;
    }),
  );
}

/** The incident id in a run's output ("incident 20260101-120000-abcd"). */
export const idOf = (text: string) => /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(text)![1]!;

// Second-person approval (issue 14, item 2): how soon a waiting run goes on
// after another person's `payctl incident approve`. The built payctl runs a
// playbook of GATES second-person gates in a pseudo-terminal (a person at it,
// so it waits); for each gate, once it waits, a separate `payctl incident
// approve` process (another PAYCTL_ACTOR) approves it. The delay is read from
// the timeline: the step's step_started (written by the run once it saw the
// approval) minus the approval_given (written by the approving process). p50
// and p99 for the directory store and PostgreSQL (PAYCTL_TEST_PG_URL, or a
// throwaway server via scripts/with-postgres.sh when initdb is there); target
// p99 < 1 s. For reference beside it: the directory store's poll interval.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';
import { benchPostgres, delaysOnEachStore, payctlOk, reportDelays, sleep } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin/payctl.cjs');
const PG = benchPostgres(import.meta.url);
const GATES = Number(process.env.BENCH_GATES ?? 15);

const PLAYBOOK = `id: gates\ntitle: Gates\nsteps:\n${Array.from(
  { length: GATES },
  (_, i) =>
    `  - { id: g${i}, type: set_status, title: Gate ${i}, status: ${i % 2 ? 'identified' : 'monitoring'}, confirm: { message: "Gate ${i}?", second_person: true } }\n`,
).join('')}`;

/** Approval-to-step delays (ms) of GATES gates answered by another process. */
async function measure(cwd, env, store) {
  const run = pty.spawn(process.execPath, [BIN, 'incident', 'start', '-p', 'gates'], {
    cwd,
    cols: 200,
    rows: 50,
    env: { ...env, PAYCTL_ACTOR: 'runner', TERM: 'xterm' },
  });
  let screen = '';
  run.onData((d) => (screen += d));
  const exited = new Promise((r) => run.onExit(({ exitCode }) => r(exitCode)));
  let id;
  while (!(id = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(screen)?.[1])) await sleep(20);
  for (let i = 0; i < GATES; i++) {
    while ((await store.replay(id)).state.approvals?.[`g${i}`]?.status !== 'waiting') await sleep(20);
    payctlOk(['incident', 'approve', id, '--step', `g${i}`], cwd, { ...env, PAYCTL_ACTOR: 'approver' });
  }
  const code = await exited;
  if (code !== 0) throw new Error(`the run exited ${code}:\n${screen}`);
  const events = (await store.read(id)).events;
  const at = (type, step) => Date.parse(events.find((e) => e.type === type && e.step === step).time);
  return Array.from({ length: GATES }, (_, i) => at('step_started', `g${i}`) - at('approval_given', `g${i}`));
}

const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' };
const dir = mkdtempSync(join(tmpdir(), 'payctl-approval-bench-'));
mkdirSync(join(dir, 'playbooks'));
writeFileSync(join(dir, 'playbooks', 'gates.yaml'), PLAYBOOK);
writeFileSync(join(dir, 'payctl.config.yaml'), 'store: .payctl/incidents\n');
const rows = await delaysOnEachStore(dir, env, PG, measure);
rmSync(dir, { recursive: true, force: true });

process.exit(
  (await reportDelays(`second-person approval: another process's approval to the waiting run's step_started, ${GATES} gates`, rows, 1000))
    ? 0
    : 1,
);

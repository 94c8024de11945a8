// incident follow (issue 13, item 4): the delay from another process's append
// to the line on a follower's stdout. The built `payctl incident follow <id> --json`
// runs as a process; ~30 times, a separate `payctl incident note <id>` process
// appends; the delay is the time the follower's line reaches this process minus
// the event's own time (taken by the appending process when it wrote it). p50
// and p99 for the directory store and for PostgreSQL (PAYCTL_TEST_PG_URL, or a
// throwaway server via scripts/with-postgres.sh when initdb is there); target
// p99 < 1 s. For reference beside it: the directory store's poll interval
// (the delay were fs.watch to miss every change).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchPostgres, delaysOnEachStore, payctlOk, reportDelays, sleep } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin/payctl.cjs');
const PG = benchPostgres(import.meta.url);
const APPENDS = Number(process.env.BENCH_APPENDS ?? 30);

/** The delays (ms) of APPENDS notes appended by other processes, as seen on a follower's stdout. */
async function measure(cwd, env, store) {
  const id = `20261206-050000-${Math.random().toString(16).slice(2, 6)}`;
  const w = await store.create(id, { actor: 'bench' });
  await w.appendAll([
    { type: 'incident_opened', data: { id, title: 'follow bench', severity: 'sev2', playbook: null, dry_run: false, source: 'bench' } },
  ]);
  await w.close();
  const follower = spawn(process.execPath, [BIN, 'incident', 'follow', id, '--json'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const delays = new Map();
  let partial = '';
  let ready = false;
  follower.stderr.on('data', (d) => {
    if (String(d).includes('following')) ready = true;
  });
  follower.stdout.on('data', (d) => {
    const now = Date.now();
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      const ev = JSON.parse(line);
      if (ev.type === 'note_added') delays.set(ev.data.text, now - Date.parse(ev.time));
    }
  });
  while (!ready) await sleep(20);
  for (let i = 0; i < APPENDS; i++) {
    payctlOk(['incident', 'note', id, `bench ${i}`], cwd, env);
    await sleep(50 + Math.random() * 100);
  }
  const until = Date.now() + 5000;
  while (delays.size < APPENDS && Date.now() < until) await sleep(20);
  follower.kill('SIGINT');
  await new Promise((r) => follower.on('close', r));
  if (delays.size < APPENDS) throw new Error(`the follower showed ${delays.size} of ${APPENDS} notes within 5 s of the last`);
  return [...delays.values()];
}

const env = { PATH: process.env.PATH, HOME: process.env.HOME, PAYCTL_ACTOR: 'bench', NO_COLOR: '1' };
const dir = mkdtempSync(join(tmpdir(), 'payctl-follow-bench-'));
const rows = await delaysOnEachStore(dir, env, PG, measure);
rmSync(dir, { recursive: true, force: true });

process.exit(
  (await reportDelays(`incident follow: another process's append to the follower's stdout, ${APPENDS} appends`, rows, 1000)) ? 0 : 1,
);

// `payctl incident list` over 10,000 incidents (issue 13: < 500 ms; the default
// listing, which prints the newest 50 rows and reads every listed state), on the
// directory store and on PostgreSQL, beside `node -e 0`: whole processes,
// interleaved, medians. The incidents are a realistic mix: most resolved with
// a finished run, 1% interrupted (a run without an end: a run lock is looked
// at for each), 1% stopped waiting for a resume, 1% cancelled, 2% open.
// The directory store answers from its cache of listed states (each entry
// checked against its timeline's stat); the first listing after the cache is
// gone replays every timeline and writes it: timed once, for reference.
// PostgreSQL: PAYCTL_TEST_PG_URL, or a throwaway server (scripts/with-postgres.sh)
// when initdb is there; without either, the PostgreSQL rows are skipped.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, timeOnce, benchPostgres, freshBenchDatabase, inner, PG_MODULE } from './lib.mjs';

const LIMIT_MS = 500;
const root = fileURLToPath(new URL('..', import.meta.url));
const PG = benchPostgres(import.meta.url);
const N = Number(process.env.BENCH_INCIDENTS ?? 10_000);
const RUNS = Number(process.env.BENCH_LIST_RUNS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-list-'));
const mod = (p) => JSON.stringify(join(root, 'dist', p));
const pgMod = PG_MODULE;

// N incidents, each a whole timeline as payctl writes it (chained); on PostgreSQL with the
// state and listed state payctl_append stores (bulk-inserted, 1,000 at a time)
const seed = (target) => `
const { chainEvents } = await import(${mod('timeline/writer.js')});
const { Replayer } = await import(${mod('timeline/replay.js')});
const { listedOf } = await import(${mod('store/listed.js')});
const { mkdirSync, writeFileSync } = await import('node:fs');
const { join } = await import('node:path');
const GENESIS = '0'.repeat(64);
const target = ${JSON.stringify(target)};
const pg = target.startsWith('postgres') ? (await import(${pgMod})).default : undefined;
const c = pg && new pg.Client({ connectionString: target });
if (c) await c.connect();
function timeline(i, id) {
  const kind = i % 100;
  const evs = [
    { type: 'incident_opened', data: { id, title: 'Card payments failing ' + i, severity: 'sev2', playbook: 'processor-outage', dry_run: false, source: 'incident start' } },
    { type: 'input_answered', data: { name: 'provider', value: 'stripe', from: 'var' } },
    { type: 'run_started', data: { pid: 1, resume: false, dry_run: false } },
    { type: 'step_started', step: 'check', data: { step_type: 'check_status', title: 'Check', attempt: 1, idempotency_key: 'payctl-' + id + '-check' } },
    { type: 'step_completed', step: 'check', data: { step_type: 'check_status', outcome: 'ok', attempt: 1, result: { healthy: false } } },
  ];
  if (kind === 0) return evs; // interrupted: no end
  if (kind === 1) return [...evs, { type: 'run_stopped', step: 'approve', data: { reason: 'no person to ask', exit_code: 3 } }];
  if (kind === 2) return [...evs, { type: 'run_finished', data: { outcome: 'ok' } }, { type: 'incident_cancelled', data: { reason: 'not an incident' } }];
  if (kind < 5) return [...evs, { type: 'run_finished', data: { outcome: 'ok' } }];
  return [...evs, { type: 'status_changed', data: { from: 'investigating', to: 'resolved' } }, { type: 'milestone', data: { name: 'resolved' } }, { type: 'run_finished', data: { outcome: 'ok' } }];
}
for (let from = 0; from < ${N}; from += 1000) {
  const inc = { id: [], state: [], listed: [] }; const ev = { id: [], seq: [], prev: [], line: [] };
  for (let i = from; i < Math.min(${N}, from + 1000); i++) {
    const id = '20260101-' + String(i).padStart(6, '0') + '-seed';
    let n = 0; const t = Date.UTC(2026, 0, 1) + i * 1000;
    const { events, lines } = chainEvents(timeline(i, id), { count: 0, last: GENESIS }, 'seed', () => new Date(t + n++));
    if (!c) { mkdirSync(join(target, id), { recursive: true }); writeFileSync(join(target, id, 'timeline.jsonl'), lines.join('\\n') + '\\n'); continue; }
    const r = new Replayer(events[0]); for (const e of events.slice(1)) r.apply(e);
    inc.id.push(id); inc.state.push(JSON.stringify(r.state())); inc.listed.push(JSON.stringify(listedOf(r.state())));
    events.forEach((e, k) => { ev.id.push(id); ev.seq.push(e.seq); ev.prev.push(e.prev); ev.line.push(lines[k]); });
  }
  if (!c) continue;
  await c.query('BEGIN');
  await c.query('INSERT INTO payctl_incidents (id, state, listed) SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[])', [inc.id, inc.state, inc.listed]);
  await c.query('INSERT INTO payctl_events (incident_id, seq, prev, line) SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[])', [ev.id, ev.seq, ev.prev, ev.line]);
  await c.query('COMMIT');
}
if (c) await c.end();
console.log('null');`;

const project = join(dir, 'project');
mkdirSync(project, { recursive: true });
writeFileSync(join(project, 'payctl.config.yaml'), 'store: .payctl/incidents\n');
const storeDir = join(project, '.payctl/incidents');
inner(seed(storeDir));
const url = PG ? freshBenchDatabase(PG, 'payctl_bench_list') : undefined;
if (url) inner(seed(url));

const bin = join(root, 'bin', 'payctl.cjs');
const list =
  (args, env = {}) =>
  () =>
    timeOnce(process.execPath, [bin, 'incident', 'list', ...args], {
      cwd: project,
      env: { ...process.env, PAYCTL_STORE: '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });

// the first listing: no cache yet, every timeline replayed (and the cache written)
const cold = list(['--json'])();
const cases = [
  { name: 'node -e 0', run: () => timeOnce(process.execPath, ['-e', '0']) },
  { name: 'directory store, table', run: list([]) },
  { name: 'directory store, --json', run: list(['--json']) },
  { name: 'directory, every row --json', run: list(['--json', '--limit', '0']), reference: true },
  ...(url
    ? [
        { name: 'PostgreSQL store, table', run: list([], { PAYCTL_STORE: url }) },
        { name: 'PostgreSQL store, --json', run: list(['--json'], { PAYCTL_STORE: url }) },
        { name: 'PostgreSQL, every row --json', run: list(['--json', '--limit', '0'], { PAYCTL_STORE: url }), reference: true },
      ]
    : []),
];
const t = interleaved(cases, RUNS);
console.log(`\npayctl incident list over ${N} incidents (whole process, median of ${RUNS} interleaved runs; limit ${LIMIT_MS} ms)`);
let ok = true;
for (const c of cases) {
  const floor = c.name === 'node -e 0';
  const within = floor || t[c.name] < LIMIT_MS;
  if (!c.reference) ok &&= within;
  const verdict = c.reference
    ? '(reference: --limit 0, every row printed; not judged)'
    : `${within ? 'ok' : 'OVER'} (limit ${LIMIT_MS} ms)`;
  console.log(
    `  ${c.name.padEnd(28)} ${t[c.name].toFixed(0).padStart(6)} ms${floor ? '  (floor)' : `  ${(t[c.name] / t['node -e 0']).toFixed(1)}x the floor  ${verdict}`}`,
  );
}
console.log(
  `  ${'directory store, no cache yet'.padEnd(28)} ${cold.toFixed(0).padStart(6)} ms  (once: the first listing replays every timeline and writes the cache; not judged)`,
);
rmSync(dir, { recursive: true, force: true });
process.exit(ok ? 0 : 1);

// The incident store (issue 13): append latency (p50, p99) and events/s for the
// directory store and the PostgreSQL store, each beside its floor (write +
// fsync of the same line on an open file; a one-row autocommit INSERT); then
// the delay from another process's append to a watcher on the PostgreSQL store
// (LISTEN/NOTIFY; target p99 < 1 s). `incident list` over 10,000 incidents is
// bench/incident-list.bench.mjs.
// Each measure is its own node process, interleaved, medians of the runs.
// PostgreSQL: PAYCTL_TEST_PG_URL, or a throwaway server (scripts/with-postgres.sh)
// when initdb is there; without either, the PostgreSQL rows are skipped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, benchPostgres, freshBenchDatabase, inner, PG_MODULE } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const PG = benchPostgres(import.meta.url);
const N = Number(process.env.BENCH_EVENTS ?? 300);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-store-'));
const mod = (p) => JSON.stringify(join(root, 'dist', p));
const pgMod = PG_MODULE;

const timings = `
const t = [];
const t0 = performance.now();
for (let i = 0; i < ${N}; i++) { const s = performance.now(); await append(i); t.push(performance.now() - s); }
const total = performance.now() - t0;
t.sort((a, b) => a - b);
console.log(JSON.stringify({ p50: t[Math.floor(t.length / 2)], p99: t[Math.floor(t.length * 0.99)], perSecond: ${N} / (total / 1000) }));`;

const fileFloor = (file) => `
const { openSync, writeSync, fsyncSync } = await import('node:fs');
const fd = openSync(${JSON.stringify(file)}, 'a');
const line = JSON.stringify({ seq: 1, time: new Date().toISOString(), actor: 'bench', type: 'note_added', data: { text: 'a note about as long as a step result line, from the bench' }, prev: '0'.repeat(64) }) + '\\n';
const append = async () => { writeSync(fd, line); fsyncSync(fd); };
${timings}`;

const storeAppend = (open, id) => `
${open}
const w = await store.create(${JSON.stringify(id)}, { actor: 'bench' });
await w.appendAll([{ type: 'incident_opened', data: { id: ${JSON.stringify(id)}, title: 'bench', severity: 'sev2', dry_run: false, source: 'bench' } }]);
const append = (i) => w.appendAll([{ type: 'note_added', data: { text: 'a note about as long as a step result line, from the bench ' + i } }]);
${timings}
await store.close();`;

const openDir = (d) =>
  `const { DirectoryStore } = await import(${mod('store/directory.js')}); const store = new DirectoryStore(${JSON.stringify(d)});`;
const openPg = (url) =>
  `const { openPostgresStore } = await import(${mod('store/postgres.js')}); const store = await openPostgresStore({ kind: 'postgres', url: ${JSON.stringify(url)} });`;

const pgFloor = (url) => `
const pg = (await import(${pgMod})).default;
const c = new pg.Client({ connectionString: ${JSON.stringify(url)} });
await c.connect();
await c.query('CREATE TABLE IF NOT EXISTS bench_floor (n int, line text)');
const append = (i) => c.query('INSERT INTO bench_floor VALUES ($1, $2)', [i, 'a note about as long as a step result line, from the bench']);
${timings}
await c.end();`;

const rows = [];
const row = (name, r, floor) =>
  rows.push(
    `  ${name.padEnd(44)} p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  ${Math.round(r.perSecond).toString().padStart(5)} events/s${floor ? `  ${(r.p50 / floor.p50).toFixed(2)}x its floor (p50)` : ''}`,
  );
const med = (xs) => ({
  p50: median(xs.map((x) => x.p50)),
  p99: median(xs.map((x) => x.p99)),
  perSecond: median(xs.map((x) => x.perSecond)),
});

// append
const pgUrl = PG ? freshBenchDatabase(PG, 'payctl_bench_append') : undefined;
const res = { fileFloor: [], dir: [], pgFloor: [], pg: [] };
let k = 0;
for (let i = 0; i < runs; i++) {
  res.fileFloor.push(inner(fileFloor(join(dir, `floor-${k++}.jsonl`))));
  res.dir.push(inner(storeAppend(openDir(join(dir, 'store')), `20260101-000000-d${String(k++).padStart(3, '0')}`)));
  if (pgUrl) {
    res.pgFloor.push(inner(pgFloor(pgUrl)));
    res.pg.push(inner(storeAppend(openPg(pgUrl), `20260101-000000-p${String(k++).padStart(3, '0')}`)));
  }
}
console.log(`\nstore append, ${N} appends of one event per process (median of ${runs} interleaved process runs)`);
row('file floor: write + fsync', med(res.fileFloor));
row('directory store', med(res.dir), med(res.fileFloor));
if (pgUrl) {
  row('PostgreSQL floor: one-row autocommit INSERT', med(res.pgFloor));
  row('PostgreSQL store', med(res.pg), med(res.pgFloor));
}
for (const r of rows) console.log(r);

// watch delay on PostgreSQL: another process appends, a watcher here receives
if (pgUrl) {
  const delays = inner(`
    const { openPostgresStore } = await import(${mod('store/postgres.js')});
    const { spawn } = await import('node:child_process');
    const store = await openPostgresStore({ kind: 'postgres', url: ${JSON.stringify(pgUrl)} });
    const id = '20260101-000000-watch';
    const w = await store.create(id, { actor: 'bench' });
    await w.appendAll([{ type: 'incident_opened', data: { id, title: 'watch', severity: 'sev2', dry_run: false, source: 'bench' } }]);
    const delays = [];
    const ac = new AbortController();
    const watching = store.watch(id, 1, (evs) => { const now = Date.now(); for (const e of evs) delays.push(now - Date.parse(e.time)); if (delays.length >= 100) ac.abort(); }, ac.signal);
    await new Promise((r) => setTimeout(r, 300));
    const child = spawn(process.execPath, ['--input-type=module', '-e', \`
      const { openPostgresStore } = await import(${mod('store/postgres.js')});
      const s = await openPostgresStore({ kind: 'postgres', url: ${JSON.stringify(pgUrl)} });
      const a = await s.appender('\${id}', { actor: 'other' });
      for (let i = 0; i < 100; i++) { await a.appendAll([{ type: 'note_added', data: { text: 'n' + i } }]); await new Promise((r) => setTimeout(r, 10)); }
      await s.close();\`], { stdio: 'inherit' });
    await watching;
    await new Promise((r) => child.on('close', r));
    await store.close();
    delays.sort((a, b) => a - b);
    console.log(JSON.stringify({ p50: delays[50], p99: delays[98] }));`);
  console.log(`\nwatch (LISTEN/NOTIFY): another process's append to the watcher's callback, 100 events`);
  console.log(`  p50 ${delays.p50} ms  p99 ${delays.p99} ms  ${delays.p99 < 1000 ? 'ok' : 'OVER'} (target p99 < 1 s)`);
}
rmSync(dir, { recursive: true, force: true });

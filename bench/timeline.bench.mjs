// Timeline append (issue 12): the engine's writer appending N events while its
// process holds the incident's run lock, against the floor of write + fsync of
// the same lines on an open file. Limit: ≤ 1.5× the floor. Each measure is its
// own node process (interleaved, median of the per-event time it reports).
// For reference: the same run with a second process adding notes at once
// (as `incident note` from another terminal does); its chain must verify.
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.env.BENCH_EVENTS ?? 2000);
const runs = Number(process.env.BENCH_RUNS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-append-'));
const mod = (p) => JSON.stringify(join(root, 'dist', p));
const note = (i) => `{ type: 'note_added', data: { text: 'event ' + ${i} + ' of the bench, about as long as a step result line' } }`;

const floorScript = (file) => `
const { openSync, writeSync, fsyncSync } = require('node:fs');
const fd = openSync(${JSON.stringify(file)}, 'a');
const line = JSON.stringify({ seq: 1, time: new Date().toISOString(), actor: 'bench', type: 'note_added', data: { text: 'event 1 of the bench, about as long as a step result line' }, prev: '0'.repeat(64) }) + '\\n';
const t0 = performance.now();
for (let i = 0; i < ${N}; i++) { writeSync(fd, line); fsyncSync(fd); }
console.log((performance.now() - t0) / ${N});`;

const writerScript = (incDir) => `
const { acquireRunLock } = await import(${mod('timeline/lock.js')});
const { TimelineWriter } = await import(${mod('timeline/writer.js')});
(await import('node:fs')).mkdirSync(${JSON.stringify(incDir)}, { recursive: true });
const release = await acquireRunLock(${JSON.stringify(incDir)}, 'bench');
const w = new TimelineWriter(${JSON.stringify(join(incDir, 'timeline.jsonl'))}, { actor: 'bench' });
await w.append({ type: 'incident_opened', data: { id: 'bench', title: 'bench', severity: 'sev2', dry_run: false, source: 'bench' } });
const t0 = performance.now();
for (let i = 1; i <= ${N}; i++) await w.append(${note('i')});
console.log((performance.now() - t0) / ${N});
await release();`;

const noterScript = (incDir) => `
const { TimelineWriter } = await import(${mod('timeline/writer.js')});
const w = new TimelineWriter(${JSON.stringify(join(incDir, 'timeline.jsonl'))}, { actor: 'noter' });
for (let i = 0; i < 200; i++) { await w.append({ type: 'note_added', data: { text: 'a note from another terminal ' + i } }); await new Promise((r) => setTimeout(r, 2)); }`;

const inner = (args) => {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
};

let k = 0;
const floor = [];
const writer = [];
const contended = [];
let verified = true;
for (let i = 0; i <= runs; i++) {
  const a = inner(['-e', floorScript(join(dir, `floor-${k++}.jsonl`))]);
  const b = inner(['--input-type=module', '-e', writerScript(join(dir, `inc-${k++}`))]);
  // the same with notes from a second process meanwhile
  const incDir = join(dir, `inc-${k++}`);
  const noter = spawn(
    process.execPath,
    ['--input-type=module', '-e', `await new Promise((r) => setTimeout(r, 150)); ${noterScript(incDir)}`],
    { stdio: 'ignore' },
  );
  const c = inner(['--input-type=module', '-e', writerScript(incDir)]);
  await new Promise((r) => noter.on('close', r));
  const v = spawnSync(process.execPath, [
    '--input-type=module',
    '-e',
    `const { verifyTimeline } = await import(${mod('timeline/verify.js')}); const r = verifyTimeline(${JSON.stringify(join(incDir, 'timeline.jsonl'))}); process.exit(r.ok && r.events === ${N + 1 + 200} ? 0 : 1);`,
  ]);
  verified &&= v.status === 0;
  if (i === 0) continue; // warm-up
  floor.push(a);
  writer.push(b);
  contended.push(c);
}
const f = median(floor);
const w = median(writer);
const c = median(contended);
console.log(`\ntimeline append, ${N} events per process (median of ${runs} interleaved process runs)`);
console.log(`  floor: write + fsync on an open file          ${f.toFixed(3)} ms/event  1.00x`);
console.log(
  `  TimelineWriter holding the run lock            ${w.toFixed(3)} ms/event  ${(w / f).toFixed(2)}x  ${w / f <= 1.5 ? 'ok' : 'OVER'} (limit 1.5x)`,
);
console.log(
  `  the same, a second process adding notes        ${c.toFixed(3)} ms/event  ${(c / f).toFixed(2)}x  (reference; chains verify: ${verified ? 'yes' : 'NO'})`,
);
rmSync(dir, { recursive: true, force: true });
process.exit(w / f <= 1.5 && verified ? 0 : 1);

// Reading a 100,000-event timeline (issue 12): `payctl postmortem` and
// `payctl incident show --json`, each against the floor of one node process
// that reads the file, parses each line and hashes it (a single pass).
// Limits: each ≤ 1.3× that floor and under 1 s. Medians of interleaved whole
// process runs; peak RSS (one run each, /usr/bin/time) for reference.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, printRatio, timeOnce } from './lib.mjs';
import { readFloorArgs, writeTimeline } from './timelines.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const runs = Number(process.env.BENCH_RUNS ?? 7);
const bin = fileURLToPath(new URL('../bin/payctl.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-pm-'));
const id = '20260314-020000-bench';
writeFileSync(
  join(dir, 'payctl.config.yaml'),
  'store: store\nrouting: { primary: stripe, backups: [adyen] }\nbusiness: { average_order_value: 40, orders_per_minute: 200 }\n',
);
const file = join(dir, 'store', id, 'timeline.jsonl');
const { bytes, events } = writeTimeline(file, id, EVENTS);
console.log(`timeline: ${events.toLocaleString('en-US')} events, ${(bytes / 1024 / 1024).toFixed(1)} MB (${dir})`);

const opts = { cwd: dir, env: { ...process.env, CI: '1', NO_COLOR: '1' } };
const FLOOR = 'floor: node reads, parses, hashes each line';
const PM = `payctl postmortem (${Math.round(events / 1000)}k events)`;
const SHOW = `payctl incident show --json (${Math.round(events / 1000)}k)`;
const pmArgs = [bin, 'postmortem', id, '--out', join(dir, 'pm.md'), '--force'];
const showArgs = [bin, 'incident', 'show', id, '--json'];
const medians = interleaved(
  [
    { name: 'node -e 0', run: () => timeOnce(process.execPath, ['-e', '0'], opts) },
    { name: FLOOR, run: () => timeOnce(process.execPath, readFloorArgs(file), opts) },
    { name: PM, run: () => timeOnce(process.execPath, pmArgs, opts) },
    { name: SHOW, run: () => timeOnce(process.execPath, showArgs, { ...opts, stdio: ['ignore', 'ignore', 'pipe'] }) },
  ],
  runs,
);
printRatio(`reading a ${events.toLocaleString('en-US')}-event timeline (median of ${runs} interleaved runs)`, medians, FLOOR, 1.3, [
  PM,
  SHOW,
]);
let ok = true;
for (const name of [PM, SHOW]) {
  const under = medians[name] < 1000;
  ok &&= under && medians[name] / medians[FLOOR] <= 1.3;
  console.log(`  ${name}: ${medians[name].toFixed(0)} ms (limit 1000 ms): ${under ? 'ok' : 'OVER'}`);
}
if (existsSync('/usr/bin/time')) {
  for (const [name, args] of [
    [PM, pmArgs],
    [SHOW, showArgs],
  ]) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], {
      ...opts,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    console.log(`  ${name}: peak RSS ${(Number(r.stderr.trim().split('\n').pop()) / 1024).toFixed(0)} MB (reference)`);
  }
}
if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
process.exit(ok ? 0 : 1);

// `payctl providers report` over a store of 10,000 incidents (issue 12):
// under 1 s, and memory flat in the store size: peak RSS at 10,000 incidents
// within 1.25× of the peak at 1,000 (incidents are read one at a time).
// Each incident: ~20 events (a failover and its follow-up). Medians of
// interleaved whole-process runs; `node -e 0` for reference. A directory store
// keeps each incident's part in the scorecard (<store>/.scorecard.json) while
// its timeline is unchanged: the first report reads every timeline and writes
// it, timed once for reference.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, printRatio, timeOnce } from './lib.mjs';
import { writeTimeline } from './timelines.mjs';

const bin = fileURLToPath(new URL('../bin/payctl.cjs', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 5);
const BIG = Number(process.env.BENCH_INCIDENTS ?? 10_000);
const SMALL = Math.round(BIG / 10);
const config =
  'store: store\nproviders: { stripe: { kind: stripe }, adyen: { kind: adyen } }\nrouting: { primary: stripe, backups: [adyen] }\n';

function store(n) {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-report-'));
  writeFileSync(join(dir, 'payctl.config.yaml'), config);
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < n; i++) {
    const id = `20260101-${String(i).padStart(6, '0')}-${(i % 65536).toString(16).padStart(4, '0')}`;
    writeTimeline(join(dir, 'store', id, 'timeline.jsonl'), id, 20, start + i * 3_600_000);
  }
  return dir;
}
const small = store(SMALL);
const big = store(BIG);
const args = [bin, 'providers', 'report', '--since', '3650d'];
const NAME = `payctl providers report (${BIG.toLocaleString('en-US')} incidents)`;
// the first report of each store: every timeline read, the parts written
const cold = timeOnce(process.execPath, args, { cwd: big });
timeOnce(process.execPath, args, { cwd: small });
const medians = interleaved(
  [
    { name: 'node -e 0', run: () => timeOnce(process.execPath, ['-e', '0']) },
    {
      name: `payctl providers report (${SMALL.toLocaleString('en-US')} incidents)`,
      run: () => timeOnce(process.execPath, args, { cwd: small }),
    },
    { name: NAME, run: () => timeOnce(process.execPath, args, { cwd: big }) },
  ],
  runs,
);
printRatio(`providers report (median of ${runs} interleaved runs)`, medians, 'node -e 0');
const rss = (cwd) =>
  Number(
    spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] })
      .stderr.trim()
      .split('\n')
      .pop(),
  ) / 1024;
const [rSmall, rBig] = [rss(small), rss(big)];
const fast = medians[NAME] < 1000;
const flat = rBig <= rSmall * 1.25;
console.log(`  ${NAME}: ${medians[NAME].toFixed(0)} ms (limit 1000 ms): ${fast ? 'ok' : 'OVER'}`);
console.log(
  `  the first report over ${BIG.toLocaleString('en-US')} incidents (no parts kept yet: every timeline read): ${cold.toFixed(0)} ms (once, not judged)`,
);
console.log(
  `  peak RSS: ${rSmall.toFixed(0)} MB at ${SMALL.toLocaleString('en-US')}, ${rBig.toFixed(0)} MB at ${BIG.toLocaleString('en-US')}: ${(rBig / rSmall).toFixed(2)}x (limit 1.25x, flat) ${flat ? 'ok' : 'OVER'}`,
);
rmSync(small, { recursive: true, force: true });
rmSync(big, { recursive: true, force: true });
process.exit(fast && flat ? 0 : 1);

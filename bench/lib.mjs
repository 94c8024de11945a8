// Timing whole processes side by side: interleaved runs, medians, ratios.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export function timeOnce(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  const ms = performance.now() - t0;
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return ms;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Run each case `runs` times, interleaved (a, b, c, a, b, c, …) so machine noise
 * hits all of them alike; return the median of each.
 * cases: [{ name, run: () => ms }]
 */
export function interleaved(cases, runs = 15) {
  const times = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (const c of cases) c.run(); // warm-up (file cache)
  for (let i = 0; i < runs; i++) for (const c of cases) times[c.name].push(c.run());
  return Object.fromEntries(cases.map((c) => [c.name, median(times[c.name])]));
}

/** `checked`: the rows the limit applies to (default: every row but the baseline); other rows are for reference. */
export function printRatio(title, medians, baseline, limit, checked) {
  const base = medians[baseline];
  console.log(`\n${title}`);
  for (const [name, ms] of Object.entries(medians)) {
    const ratio = ms / base;
    const judged = limit !== undefined && name !== baseline && (!checked || checked.includes(name));
    const verdict = !judged ? '' : ratio <= limit ? `  ok (limit ${limit}x)` : `  OVER (limit ${limit}x)`;
    console.log(`  ${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${ratio.toFixed(2)}x${verdict}`);
  }
}

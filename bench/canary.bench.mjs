// The canary's decision delay: from a stage's hold ending (its 'switched'
// event plus the hold) to the next stage's write reaching the routing service
// (the sandbox's request log), for `payctl failback --canary` against a
// sandbox process. Issue 15 bounds it by one metrics query's round trip
// (measured here too: a bare node fetch of the same two PromQL queries the
// last reading makes, in parallel) plus 100 ms. Medians over the stages of
// several runs; the bound is checked and the bench exits 1 past it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib.mjs';
import { startSandboxProcess } from './sandbox-process.mjs';

const bin = fileURLToPath(new URL('../bin/payctl.cjs', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 3);
const HOLD_MS = 2000;
const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-canary-'));
const sb = await startSandboxProcess({ dir, ordersPerMinute: 6000 });
const env = { ...process.env, ...sb.env, NO_COLOR: '1', PAYCTL_ACTOR: 'bench' };
const payctl = (args) => {
  try {
    return execFileSync(process.execPath, [bin, ...args], { cwd: dir, env, encoding: 'utf8' });
  } catch (e) {
    throw new Error(`payctl ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
};
// payctl runs synchronously (execFileSync): a kept-alive socket may be closed meanwhile, so a read is tried twice
const getJson = async (url) => {
  try {
    return await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json();
  } catch {
    return (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json();
  }
};

// one metrics query round trip, as the canary's last reading makes it (rate and attempts in parallel)
const config = readFileSync(join(dir, 'payctl.config.yaml'), 'utf8');
const q = (name) =>
  new RegExp(`${name}: (.*)`)
    .exec(config)[1]
    .replace(/^['"]|['"]$/g, '')
    .replaceAll('$provider', 'stripe')
    .replaceAll('$window', '2s');
const queryUrl = (query) => `${sb.url}/prometheus/api/v1/query?query=${encodeURIComponent(query)}`;
const rtts = [];
for (let i = 0; i < 30; i++) {
  const t = performance.now();
  await Promise.all([getJson(queryUrl(q('success_rate'))), getJson(queryUrl(q('attempts')))]);
  rtts.push(performance.now() - t);
}
const rtt = median(rtts);

const delays = [];
try {
  for (let run = 0; run < runs; run++) {
    payctl(['failover', '--to', 'adyen', '--yes']);
    const before = (await getJson(`${sb.url}/_control/requests`)).requests.length;
    const out = JSON.parse(
      payctl(['failback', '--canary', '10,50,100', '--hold', `${HOLD_MS / 1000}s`, '--min-attempts', '5', '--yes', '--json']),
    );
    if (!out.canary.completed) throw new Error(`the canary did not complete: ${out.canary.halted}`);
    const writes = (await getJson(`${sb.url}/_control/requests`)).requests
      .slice(before)
      .filter((r) => r.method === 'POST' && /\/hyperswitch\/routing(\/default)?$/.test(r.path))
      .map((r) => Date.parse(r.time));
    const store = join(dir, '.payctl', 'incidents', out.incident, 'timeline.jsonl');
    const switched = readFileSync(store, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'traffic_stage' && e.data.result === 'switched')
      .map((e) => Date.parse(e.time));
    // stage n's hold ends at its switched event + the hold; stage n+1's first write follows
    for (let s = 0; s + 1 < switched.length; s++) {
      const holdEnd = switched[s] + HOLD_MS;
      const next = writes.find((w) => w >= holdEnd);
      if (next !== undefined) delays.push(next - holdEnd);
    }
  }
} finally {
  sb.stop();
}
const delay = median(delays);
const bound = rtt + 100;
console.log(`canary decision delay (median of ${delays.length} stage ends over ${runs} runs): ${delay.toFixed(0)} ms`);
console.log(
  `one metrics query round trip (median of ${rtts.length}): ${rtt.toFixed(1)} ms; bound: round trip + 100 ms = ${bound.toFixed(0)} ms`,
);
console.log(delay <= bound ? 'within the bound' : 'PAST THE BOUND');
process.exit(delay <= bound ? 0 : 1);

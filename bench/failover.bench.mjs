// payctl failover --yes --json against the sandbox, beside its floor: a bare
// node process that makes the two routing round trips a switch needs at the
// least (the write and the read-back of an order read beforehand). For
// reference, not a limit (issue 12 withdrew the 1.5x target: a real failover
// spends hundreds of milliseconds per round trip on the internet, and payctl
// loads axios, zod and yaml on the way). The rows without PAYCTL_ACTOR show
// the cost of asking git for user.name (a child process) to name who acted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, printRatio, timeOnce } from './lib.mjs';
import { startSandboxProcess } from './sandbox-process.mjs';

const bin = fileURLToPath(new URL('../bin/payctl.cjs', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-failover-'));
const sb = await startSandboxProcess({ dir });
const env = { ...process.env, ...sb.env, NO_COLOR: '1', PAYCTL_ACTOR: 'bench' };
const opts = { cwd: dir, env };
const { PAYCTL_ACTOR: _set, ...envWithoutActor } = env;
const optsWithoutActor = { cwd: dir, env: envWithoutActor };

// The floors: one node process, HTTP round trips to the sandbox's routing API.
const routingUrl = sb.url + '/hyperswitch/routing/default';
const routingHeaders = { 'api-key': sb.env.SANDBOX_HYPERSWITCH_KEY, 'content-type': 'application/json' };
const order = await (await fetch(routingUrl, { headers: routingHeaders, signal: AbortSignal.timeout(10_000) })).text();
const floorScript = (calls) => `
const http = require('node:http');
const u = new URL(${JSON.stringify(routingUrl)});
const headers = ${JSON.stringify(routingHeaders)};
const call = (method, body) => new Promise((ok, bad) => {
  const req = http.request(u, { method, headers, timeout: 10000 }, (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => ok(b)); });
  req.on('error', bad);
  req.end(body);
});
${calls}
`;
// the order posted is the sandbox's starting one (stripe first), where every round of the runs below ends
const twoRoundTrips = floorScript(`call('POST', ${JSON.stringify(order)}).then(() => call('GET'));`);
const threeRoundTrips = floorScript(`call('GET').then((order) => call('POST', order)).then(() => call('GET'));`);
const FLOOR = 'floor: node + routing write, read-back';
const failover = (to, o) => () => timeOnce(process.execPath, [bin, 'failover', '--to', to, '--yes', '--json'], o);

try {
  const medians = interleaved(
    [
      { name: 'node -e 0', run: () => timeOnce(process.execPath, ['-e', '0'], opts) },
      { name: FLOOR, run: () => timeOnce(process.execPath, ['-e', twoRoundTrips], opts) },
      { name: 'node + routing read, write, read-back', run: () => timeOnce(process.execPath, ['-e', threeRoundTrips], opts) },
      { name: 'payctl failover --to adyen --yes --json', run: failover('adyen', opts) },
      { name: 'payctl failover --to stripe --yes --json', run: failover('stripe', opts) },
      { name: 'to adyen without PAYCTL_ACTOR', run: failover('adyen', optsWithoutActor) },
      { name: 'to stripe without PAYCTL_ACTOR', run: failover('stripe', optsWithoutActor) },
    ],
    runs,
  );
  printRatio(
    `failover against the sandbox, for reference (median of ${runs} interleaved runs; each run really moves traffic)`,
    medians,
    FLOOR,
  );
} finally {
  sb.stop();
}

// payctl check against the sandbox: 10 providers, each status page (and
// Prometheus) answering after 100 ms, vs a one-provider check. Providers are
// checked concurrently, so the ratio should be about 1, not 10.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, printRatio, timeOnce } from './lib.mjs';
import { startSandboxProcess } from './sandbox-process.mjs';

const bin = fileURLToPath(new URL('../bin/payctl.cjs', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 9);
const providers = Array.from({ length: 10 }, (_, i) => `psp${i + 1}`);
const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-check-'));
const faults = [...providers.map((p) => `${p}:latency=100ms`), 'prometheus:latency=100ms'].join(',');
const sb = await startSandboxProcess({ providers, faults, dir });
const env = { ...process.env, ...sb.env, NO_COLOR: '1' };
const opts = { cwd: dir, env };
try {
  const medians = interleaved(
    [
      { name: 'payctl --version (start-up only)', run: () => timeOnce(process.execPath, [bin, '--version'], opts) },
      {
        name: 'payctl check --provider psp1 (1 provider)',
        run: () => timeOnce(process.execPath, [bin, 'check', '--provider', 'psp1'], opts),
      },
      { name: 'payctl check (10 providers)', run: () => timeOnce(process.execPath, [bin, 'check'], opts) },
    ],
    runs,
  );
  printRatio(
    `check with 100 ms latency per API (median of ${runs} interleaved runs)`,
    medians,
    'payctl check --provider psp1 (1 provider)',
    1.5,
    ['payctl check (10 providers)'],
  );
  const start = medians['payctl --version (start-up only)'];
  const one = medians['payctl check --provider psp1 (1 provider)'] - start;
  const ten = medians['payctl check (10 providers)'] - start;
  console.log(
    `  net of start-up: 1 provider ${one.toFixed(1)} ms, 10 providers ${ten.toFixed(1)} ms, ratio ${(ten / one).toFixed(2)}x (sequential would be ~10x)`,
  );
} finally {
  sb.stop();
}

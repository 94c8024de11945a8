// Engine overhead: a 200-step playbook of no-op steps (wait 0s) run unattended,
// against `node -e 0`. Reports ms per step.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, printRatio, timeOnce } from './lib.mjs';

const bin = fileURLToPath(new URL('../bin/payctl.cjs', import.meta.url));
const STEPS = 200;
const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-'));
mkdirSync(join(dir, 'playbooks'));
writeFileSync(join(dir, 'payctl.config.yaml'), 'store: .payctl/incidents\n');
const steps = Array.from({ length: STEPS }, (_, i) => `  - { id: s${i}, type: wait, title: No-op ${i}, duration: 0s }`).join('\n');
writeFileSync(join(dir, 'playbooks', 'noop.yaml'), `id: noop\ntitle: No-op\nsteps:\n${steps}\n`);
const env = { ...process.env, CI: '1', PAYCTL_ACTOR: 'bench' };
const runs = Number(process.env.BENCH_RUNS ?? 5);
const medians = interleaved(
  [
    { name: 'node -e 0', run: () => timeOnce(process.execPath, ['-e', '0']) },
    { name: 'payctl --version', run: () => timeOnce(process.execPath, [bin, '--version']) },
    {
      name: `payctl incident start (${STEPS} no-op steps)`,
      run: () => timeOnce(process.execPath, [bin, 'incident', 'start', '-p', 'noop', '--yes', '--json'], { cwd: dir, env }),
    },
  ],
  runs,
);
printRatio(`engine (median of ${runs} interleaved runs)`, medians, 'node -e 0');
const perStep = (medians[`payctl incident start (${STEPS} no-op steps)`] - medians['node -e 0']) / STEPS;
console.log(`  engine overhead: ${perStep.toFixed(2)} ms per step (two fsync'd events per step: step_started, step_completed)`);

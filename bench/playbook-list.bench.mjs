// `payctl playbook list` of the seven shipped playbooks (issue 12) against
// `node -e 0`: limit 2×, with the check results remembered by content in
// payctl's cache directory (src/playbook/lint-cache.ts). For reference: a
// first run (an empty cache: every playbook fully checked) and a run
// without the config cache (12.5: does it matter?).
import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, printRatio, timeOnce } from './lib.mjs';

const bin = fileURLToPath(new URL('../bin/payctl.cjs', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-list-'));
const cache = join(dir, 'cache');
const env = { ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: '1' };
spawnSync(process.execPath, [bin, 'init'], { cwd: dir, env, stdio: 'ignore' });
const opts = { cwd: dir, env };
const LIST = 'payctl playbook list (7 playbooks)';
const medians = interleaved(
  [
    { name: 'node -e 0', run: () => timeOnce(process.execPath, ['-e', '0'], opts) },
    { name: 'payctl --version', run: () => timeOnce(process.execPath, [bin, '--version'], opts) },
    { name: LIST, run: () => timeOnce(process.execPath, [bin, 'playbook', 'list'], opts) },
    {
      name: 'first run (empty lint cache)',
      run: () =>
        timeOnce(process.execPath, [bin, 'playbook', 'list'], {
          cwd: dir,
          env: { ...env, XDG_CACHE_HOME: mkdtempSync(join(dir, 'cold-')) },
        }),
    },
    {
      name: 'without the config cache',
      run: () => {
        rmSync(join(cache, 'payctl', 'config'), { recursive: true, force: true });
        return timeOnce(process.execPath, [bin, 'playbook', 'list'], opts);
      },
    },
  ],
  runs,
);
printRatio(`playbook list (median of ${runs} interleaved runs)`, medians, 'node -e 0', 2, [LIST]);
rmSync(dir, { recursive: true, force: true });
process.exit(medians[LIST] / medians['node -e 0'] <= 2 ? 0 : 1);

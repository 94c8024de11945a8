// payctl --help and --version against `node -e 0`: limit 1.5x (issue 12). The
// commands register without loading their modules, and axios, zod, yaml and
// the prompts load only in the commands that use them.
import { fileURLToPath } from 'node:url';
import { interleaved, printRatio, timeOnce } from './lib.mjs';

const bin = fileURLToPath(new URL('../bin/payctl.cjs', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const medians = interleaved(
  [
    { name: 'node -e 0', run: () => timeOnce(process.execPath, ['-e', '0']) },
    { name: 'payctl --version', run: () => timeOnce(process.execPath, [bin, '--version']) },
    { name: 'payctl --help', run: () => timeOnce(process.execPath, [bin, '--help']) },
  ],
  runs,
);
printRatio(`start-up (median of ${runs} interleaved runs)`, medians, 'node -e 0', 1.5);

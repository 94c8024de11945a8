// A sandbox in its own process for benchmarks (bench/lib.mjs times payctl with
// spawnSync, which would block a sandbox running in the bench's own process).
//   startSandboxProcess({ providers, faults, dir, config, ordersPerMinute }) → { url, env, stop() }
// writes dir/payctl.config.yaml (the sandbox config, with `config` merged over it).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  const { startSandbox } = await import('../dist/sandbox/server.js');
  const { stringify } = await import('yaml');
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const opts = JSON.parse(process.argv[3]);
  const sb = await startSandbox({ providers: opts.providers, ...(opts.ordersPerMinute ? { ordersPerMinute: opts.ordersPerMinute } : {}) });
  if (opts.faults) sb.injectFault(opts.faults);
  writeFileSync(join(opts.dir, 'payctl.config.yaml'), stringify({ ...sb.configObject(), ...(opts.config ?? {}) }));
  process.stdout.write(JSON.stringify({ url: sb.url, env: sb.env() }) + '\n');
  process.stdin.on('end', () => sb.close().then(() => process.exit(0)));
  process.stdin.resume();
} else {
  // imported as a module
}

export function startSandboxProcess(opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [here, '--child', JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        const info = JSON.parse(buf.slice(0, nl));
        resolve({ ...info, stop: () => child.stdin.end() });
      }
    });
    child.on('exit', (code) => reject(new Error(`sandbox process exited ${code}`)));
  });
}

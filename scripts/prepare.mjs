// `npm install` runs this (the prepare script): build dist/ when it is missing or older than
// its sources, else nothing. `npx payctl` inside the clone installs the clone into npx's cache,
// which runs prepare again, with its output hidden: an unconditional build there made the first
// `npx payctl` wait ~30 s in silence. package-lock.json is not compared: npm install rewrites it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { staleBuildReason } from './build-freshness.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const reason = staleBuildReason(root, { ignore: ['package-lock.json'] });
if (!reason) {
  process.stderr.write('payctl: dist/ is up to date\n');
} else {
  process.stderr.write(`payctl: building dist/ (${reason}); this takes about half a minute\n`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

/**
 * Tests test what is built: many tests spawn bin/payctl.cjs, which runs dist/.
 * Before any test runs, this compares the build's inputs (src/, tsconfig.json,
 * package.json, package-lock.json, scripts/) with its outputs (dist/cli.js,
 * schema/playbook.schema.json). When an input is newer
 * than the oldest output, or an output is missing, it runs `npm run build`
 * and stops the run with the compiler's output when that fails. When dist/ is
 * fresh (as after `npm test`'s own build) it only reads ~150 mtimes.
 *
 * playbooks/ and templates/ are not inputs: the build does not copy them, the
 * CLI reads them from the package root.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { staleBuildReason as reasonUnder } from '../scripts/build-freshness.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Why dist/ needs a build, or undefined when it is up to date (scripts/build-freshness.mjs). */
export function staleBuildReason(root = REPO): string | undefined {
  return reasonUnder(root);
}

export default function buildIfStale(): void {
  const reason = staleBuildReason();
  if (!reason) return;
  process.stderr.write(`test setup: ${reason}; running npm run build so that the tests run what is built\n`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || String(r.error ?? `exit ${r.status ?? r.signal}`);
    throw new Error(
      `test setup: npm run build failed (${reason}); the tests would run an old dist/. Fix the build, then run the tests again.\n${output}`,
    );
  }
}

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
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

const INPUT_DIRS = ['src', 'scripts'];
const INPUT_FILES = ['tsconfig.json', 'package.json', 'package-lock.json'];
/** dist/cli.js must exist; the others are compared when present. */
const REQUIRED_OUTPUT = 'dist/cli.js';
const OTHER_OUTPUTS = ['schema/playbook.schema.json'];

function mtime(root: string, file: string): number | undefined {
  return statSync(join(root, file), { throwIfNoEntry: false })?.mtimeMs;
}

/** The most recently modified file under dir (relative to the repo). */
function newestUnder(root: string, dir: string): { file: string; mtime: number } | undefined {
  if (mtime(root, dir) === undefined) return undefined;
  let newest: { file: string; mtime: number } | undefined;
  for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const file = relative(root, path);
    const m = statSync(path).mtimeMs;
    if (!newest || m > newest.mtime) newest = { file, mtime: m };
  }
  return newest;
}

/** Why dist/ needs a build, or undefined when it is up to date. */
export function staleBuildReason(root = REPO): string | undefined {
  if (mtime(root, REQUIRED_OUTPUT) === undefined) return `${REQUIRED_OUTPUT} is missing`;
  const outputs = [REQUIRED_OUTPUT, ...OTHER_OUTPUTS].flatMap((file) => {
    const m = mtime(root, file);
    return m === undefined ? [] : [{ file, mtime: m }];
  });
  const oldest = outputs.reduce((a, b) => (b.mtime < a.mtime ? b : a));
  const inputs = [
    ...INPUT_DIRS.flatMap((dir) => newestUnder(root, dir) ?? []),
    ...INPUT_FILES.flatMap((file) => {
      const m = mtime(root, file);
      return m === undefined ? [] : [{ file, mtime: m }];
    }),
  ];
  const newest = inputs.reduce((a, b) => (b.mtime > a.mtime ? b : a));
  return newest.mtime > oldest.mtime ? `${newest.file} is newer than ${oldest.file}` : undefined;
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

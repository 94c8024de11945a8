// Whether dist/ is up to date with its inputs: used by `npm run prepare` (scripts/prepare.mjs)
// and by the test global setup (test/global-setup.ts). Reads ~150 mtimes.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const INPUT_DIRS = ['src', 'scripts'];
export const INPUT_FILES = ['tsconfig.json', 'package.json', 'package-lock.json'];
/** dist/cli.js must exist; the others are compared when present. */
export const REQUIRED_OUTPUT = 'dist/cli.js';
export const OTHER_OUTPUTS = ['schema/playbook.schema.json'];

/** @param {string} root @param {string} file @returns {number | undefined} */
function mtime(root, file) {
  return statSync(join(root, file), { throwIfNoEntry: false })?.mtimeMs;
}

/** The most recently modified file under dir (relative to root). */
function newestUnder(root, dir) {
  if (mtime(root, dir) === undefined) return undefined;
  let newest;
  for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const m = statSync(path).mtimeMs;
    if (!newest || m > newest.mtime) newest = { file: relative(root, path), mtime: m };
  }
  return newest;
}

/**
 * Why dist/ needs a build, or undefined when it is up to date.
 * @param {string} root the package root
 * @param {{ ignore?: string[] }} [opts] input files not to compare (prepare ignores package-lock.json, which npm install rewrites)
 * @returns {string | undefined}
 */
export function staleBuildReason(root, opts = {}) {
  if (mtime(root, REQUIRED_OUTPUT) === undefined) return `${REQUIRED_OUTPUT} is missing`;
  const outputs = [REQUIRED_OUTPUT, ...OTHER_OUTPUTS].flatMap((file) => {
    const m = mtime(root, file);
    return m === undefined ? [] : [{ file, mtime: m }];
  });
  const oldest = outputs.reduce((a, b) => (b.mtime < a.mtime ? b : a));
  const inputs = [
    ...INPUT_DIRS.flatMap((dir) => newestUnder(root, dir) ?? []),
    ...INPUT_FILES.filter((f) => !opts.ignore?.includes(f)).flatMap((file) => {
      const m = mtime(root, file);
      return m === undefined ? [] : [{ file, mtime: m }];
    }),
  ];
  const newest = inputs.reduce((a, b) => (b.mtime > a.mtime ? b : a));
  return newest.mtime > oldest.mtime ? `${newest.file} is newer than ${oldest.file}` : undefined;
}

// The global setup's staleness check (test/global-setup.ts), on a temp tree with chosen mtimes.
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staleBuildReason } from './global-setup.js';

/** Files at the given ages in seconds (larger = older). */
function tree(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'payctl-build-'));
  const now = Date.now() / 1000;
  for (const [file, age] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), '');
    utimesSync(join(root, file), now - age, now - age);
  }
  return root;
}

const BUILT = {
  'src/cli.ts': 100,
  'src/engine/run.ts': 90,
  'package.json': 100,
  'dist/cli.js': 50,
  'schema/playbook.schema.json': 45,
};

describe('the build freshness check', () => {
  it('is quiet when every output is newer than every input', () => {
    expect(staleBuildReason(tree(BUILT))).toBeUndefined();
  });
  it('names a source file edited after the build', () => {
    expect(staleBuildReason(tree({ ...BUILT, 'src/engine/run.ts': 10 }))).toBe('src/engine/run.ts is newer than dist/cli.js');
  });
  it('names the oldest output when only part of the build ran', () => {
    expect(staleBuildReason(tree({ ...BUILT, 'schema/playbook.schema.json': 95 }))).toBe(
      'src/engine/run.ts is newer than schema/playbook.schema.json',
    );
  });
  it('counts the build scripts and package files as inputs', () => {
    expect(staleBuildReason(tree({ ...BUILT, 'scripts/write-schema.mjs': 5 }))).toBe('scripts/write-schema.mjs is newer than dist/cli.js');
    expect(staleBuildReason(tree({ ...BUILT, 'package-lock.json': 5 }))).toBe('package-lock.json is newer than dist/cli.js');
  });
  it('builds when there is no build at all', () => {
    expect(staleBuildReason(tree({ 'src/cli.ts': 100 }))).toBe('dist/cli.js is missing');
  });
});

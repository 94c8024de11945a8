// `npm install`'s prepare script builds only a stale dist/: `npx payctl` in a clone installs the
// clone into npx's cache, which runs prepare again with its output hidden (a silent ~30 s rebuild).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/run-cli.js';

/** A package tree with scripts/ copied from the repo, files at the given ages in seconds, and a build that writes dist/cli.js. */
function tree(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'payctl-prepare-'));
  const now = Date.now() / 1000;
  cpSync(join(REPO, 'scripts'), join(root, 'scripts'), { recursive: true });
  for (const f of readdirSync(join(root, 'scripts'))) utimesSync(join(root, 'scripts', f), now - 1000, now - 1000);
  const build = `node -e "const fs = require('fs'); fs.mkdirSync('dist', { recursive: true }); fs.writeFileSync('dist/cli.js', 'built')"`;
  const all: Record<string, number> = { 'package.json': 1000, ...files };
  for (const [file, age] of Object.entries(all)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), file === 'package.json' ? JSON.stringify({ name: 'x', scripts: { build } }) : '');
    utimesSync(join(root, file), now - age, now - age);
  }
  return root;
}

const prepare = (root: string) => spawnSync(process.execPath, [join(root, 'scripts', 'prepare.mjs')], { cwd: root, encoding: 'utf8' });

describe('npm prepare', () => {
  it('is the freshness-checking script', () => {
    expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts.prepare).toBe('node scripts/prepare.mjs');
  });

  it('does not rebuild a fresh dist/, even when npm install rewrote package-lock.json after the build', () => {
    const root = tree({ 'src/cli.ts': 500, 'dist/cli.js': 100, 'package-lock.json': 10 });
    const before = statSync(join(root, 'dist/cli.js')).mtimeMs;
    const r = prepare(root);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('payctl: dist/ is up to date');
    expect(statSync(join(root, 'dist/cli.js')).mtimeMs).toBe(before);
  });

  it('builds a stale or missing dist/ and says why on stderr first', () => {
    const stale = tree({ 'src/cli.ts': 10, 'dist/cli.js': 100 });
    const r = prepare(stale);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('payctl: building dist/ (src/cli.ts is newer than dist/cli.js)');
    expect(readFileSync(join(stale, 'dist/cli.js'), 'utf8')).toBe('built');
    const missing = tree({ 'src/cli.ts': 10 });
    expect(prepare(missing).stderr).toContain('payctl: building dist/ (dist/cli.js is missing)');
    expect(readFileSync(join(missing, 'dist/cli.js'), 'utf8')).toBe('built');
  });
});

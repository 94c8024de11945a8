// bin/compile-cache.cjs: the bundled CLI loaded with V8's code cache, on a copy
// of the installed layout (bin/, dist/bundle/cli.cjs, package.json) in a temp
// directory, so the repository's own cache files are left alone.
import { beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Module, { createRequire } from 'node:module';
import { REPO } from '../helpers/run-cli.js';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'payctl-compile-cache-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist', 'bundle'), { recursive: true });
  for (const f of ['payctl.cjs', 'compile-cache.cjs']) copyFileSync(join(REPO, 'bin', f), join(dir, 'bin', f));
  copyFileSync(join(REPO, 'dist', 'bundle', 'cli.cjs'), join(dir, 'dist', 'bundle', 'cli.cjs'));
  copyFileSync(join(REPO, 'package.json'), join(dir, 'package.json'));
});

const run = (args: string[]) =>
  spawnSync(process.execPath, [join(dir, 'bin', 'payctl.cjs'), ...args], { encoding: 'utf8', env: { ...process.env, PAYCTL_DEBUG: '' } });
const caches = () => readdirSync(join(dir, 'dist', 'bundle')).filter((f) => f.endsWith('.v8cache'));

// node 22 keeps its own compile cache (module.enableCompileCache); these are about node 20's
describe.skipIf(typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function')(
  'the code cache of the bundled CLI',
  () => {
    it('is written after the first run of a command, beside the bundle, and used after', () => {
      expect(caches()).toEqual([]);
      expect(run(['--version']).stdout.trim()).toBe(pkg.version);
      const [file] = caches();
      expect(file).toMatch(/^cli\.cjs\.other\.[\w.-]+-\w+\.\d+-\d+\.v8cache$/);
      const written = readFileSync(join(dir, 'dist', 'bundle', file!));
      expect(written.length).toBeGreaterThan(10_000);
      expect(run(['--version']).stdout.trim()).toBe(pkg.version);
      // accepted, so not rewritten
      expect(readFileSync(join(dir, 'dist', 'bundle', file!)).equals(written)).toBe(true);
      // each command has its own
      expect(run(['incident']).status).toBe(2);
      expect(caches()).toHaveLength(2);
    });

    it('a damaged cache is ignored and written again; the run is unaffected', () => {
      run(['--version']);
      const [file] = caches();
      const path = join(dir, 'dist', 'bundle', file!);
      writeFileSync(path, 'not a code cache');
      const r = run(['--version']);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
      expect(r.stderr).toBe('');
      expect(readFileSync(path).length).toBeGreaterThan(10_000);
    });

    it('an edit of the bundle in place, even one that keeps its length, is never run from the old cache', () => {
      expect(run(['--help']).stdout).toContain('Respond to payment-gateway outages');
      const bundle = join(dir, 'dist', 'bundle', 'cli.cjs');
      const text = readFileSync(bundle, 'utf8');
      writeFileSync(bundle, text.replace('Respond to payment-gateway outages', 'RESPOND to payment-gateway outages'));
      expect(run(['--help']).stdout).toContain('RESPOND to payment-gateway outages');
      expect(caches()).toHaveLength(1); // the older cache of the command was replaced
    });

    it('a typo shares one cache rather than adding a file per word', () => {
      for (const word of ['failovr', 'failoverr', 'incdent']) run([word]);
      expect(caches().filter((f) => f.includes('.other.'))).toHaveLength(1);
    });
  },
);

describe('the cache names every command', () => {
  it('bin/compile-cache.cjs lists the commands src/cli.ts has', async () => {
    const { buildProgram } = await import('../../src/cli.js');
    const { COMMANDS } = createRequire(import.meta.url)('../../bin/compile-cache.cjs') as { COMMANDS: Set<string> };
    expect([...COMMANDS].sort()).toEqual(
      buildProgram()
        .commands.map((c) => c.name())
        .sort(),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { BIN, hasStackTrace, REPO, runCli } from '../helpers/run-cli.js';

const pkg = JSON.parse(readFileSync(`${REPO}/package.json`, 'utf8')) as { version: string };

describe('payctl entry', () => {
  it('prints its version and exits 0', () => {
    const r = runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('documents the exit codes in --help', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:/);
    for (const code of ['0', '1', '2', '3', '4']) expect(r.stdout).toMatch(new RegExp(`\\n\\s+${code}\\s+\\w`));
  });

  it('rejects an unknown command with exit 2 and no stack trace', () => {
    const r = runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('rejects a bad option value with exit 2', () => {
    const r = runCli(['incident', 'start', '--severity', 'sev9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sev9.*invalid/);
  });

  it('exits 2 with the group help when a subcommand is missing', () => {
    const r = runCli(['incident']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: payctl incident');
    expect(r.stderr).not.toContain('outputHelp');
  });

  it('reports a broken config file with its line, exit 2, and the stack only with PAYCTL_DEBUG=1', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/payctl-entry-`);
    writeFileSync(`${dir}/payctl.config.yaml`, 'providers:\n  stripe:\n    kind: stripe\n    enabeld: true\n');
    const r = runCli(['playbook', 'list'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('payctl.config.yaml:4:5: providers.stripe: unknown key "enabeld"');
    expect(hasStackTrace(r.stderr)).toBe(false);
    const debug = runCli(['playbook', 'list'], { cwd: dir, env: { PAYCTL_DEBUG: '1' } });
    expect(debug.code).toBe(2);
    expect(hasStackTrace(debug.stderr)).toBe(true);
  });

  it('stops quietly when its reader goes away (payctl … | head)', async () => {
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // closed before payctl writes: its first write gets EPIPE
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(stderr).not.toContain('EPIPE');
    expect(hasStackTrace(stderr)).toBe(false);
  });

  it("never lets a library's DEBUG logging print a secret (the proxy's password)", async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/payctl-entry-`);
    writeFileSync(
      `${dir}/payctl.config.yaml`,
      'providers:\n  stripe:\n    kind: stripe\n    statuspage: http://127.0.0.1:9\nhttp:\n  retries: 0\n',
    );
    // the reproduction: the proxy refuses, and http-proxy-agent's debug logging would print its URL
    const r = runCli(['check'], { cwd: dir, env: { DEBUG: '*', HTTP_PROXY: 'http://u:pr0xy-pa55@127.0.0.1:9' } });
    expect(r.code).toBe(4);
    expect(r.stdout + r.stderr).toContain('the proxy 127.0.0.1:9 refused the connection');
    expect(r.stdout + r.stderr).not.toContain('pr0xy-pa55');
  });

  it('the entry is a few lines that load the compiled CLI, with no code cache of its own', () => {
    const bin = readFileSync(BIN, 'utf8');
    expect(bin.split('\n').filter((l) => l.trim() && !l.trim().startsWith('//')).length).toBeLessThanOrEqual(8);
    expect(bin).toContain("'dist', 'cli.js'");
  });
});

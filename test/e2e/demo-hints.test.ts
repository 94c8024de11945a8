// The demo's closing hints: the command as it works where the user is, and a scorecard that is not empty.
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { payctlCommand } from '../../src/invocation.js';
import { BIN, REPO, runCliAsync } from '../helpers/run-cli.js';
import { tempProject } from '../helpers/sandbox-project.js';

describe('the command in hints', () => {
  it('is npx payctl through npx, and inside the clone', () => {
    expect(payctlCommand({ npm_command: 'exec', PATH: '' }, tmpdir())).toBe('npx payctl');
    expect(payctlCommand({ PATH: '' }, join(REPO, 'playbooks'))).toBe('npx payctl');
  });

  it('is node with the path to the entry elsewhere, when no payctl on PATH is this one', () => {
    expect(payctlCommand({ PATH: '' }, tmpdir())).toBe(`node ${BIN}`);
  });

  it('after the demo with payctl installed globally: payctl …, and a providers report that counts the demo', async () => {
    const dir = tempProject();
    const bin = mkdtempSync(join(tmpdir(), 'payctl-global-bin-'));
    mkdirSync(bin, { recursive: true });
    symlinkSync(BIN, join(bin, 'payctl')); // as npm install --global links it
    const env = { CI: 'true', PATH: `${bin}:${process.env.PATH}` };
    const r = await runCliAsync(['demo'], { cwd: dir, env, timeout: 90_000 });
    expect(r.code).toBe(0);
    const next = /Next: (.*)/.exec(r.stdout)?.[1] ?? '';
    expect(next).toMatch(/^payctl incident show \S+ {3}· {3}open \S+ {3}· {3}payctl providers report --include-drills$/);
    const report = await runCliAsync(['providers', 'report', '--include-drills'], { cwd: dir, env });
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/1 incidents? opened/);
    expect(report.stdout).toContain('stripe');
  }, 120_000);
});

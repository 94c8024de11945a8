/** The built payctl stopped by a signal while a step runs: the message says which signal it was. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, tempProject } from './helpers.js';

const PLAYBOOK = `
id: long
title: Long
steps:
  - { id: hold, type: wait, title: Hold on, duration: 5m, message: "holding now" }
  - { id: end, type: set_status, title: End, status: resolved }
`;

function startAndSignal(dir: string, sig: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, 'incident', 'start', '-p', 'long'], {
      cwd: dir,
      env: { PATH: process.env.PATH, PAYCTL_ACTOR: 'sig', CI: '1', NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    p.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && stdout.includes('holding now')) {
        sent = true;
        p.kill(sig);
      }
    });
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a run stopped by a signal', () => {
  it.each([
    ['SIGTERM', 'terminated during step "hold" (SIGTERM)'],
    ['SIGINT', 'interrupted during step "hold" (Ctrl-C)'],
  ] as const)('%s: exit 3, the message and the timeline name it', async (sig, message) => {
    const dir = tempProject({ long: PLAYBOOK });
    const r = await startAndSignal(dir, sig);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`payctl: ${message}\n`);
    expect(r.stderr).toContain('payctl incident resume');
    const id = JSON.parse(runCli(dir, ['incident', 'list', '--json']).stdout)[0].id;
    const events = JSON.parse(runCli(dir, ['incident', 'show', id, '--json']).stdout).events;
    expect(events.find((e: { type: string }) => e.type === 'run_stopped').data).toMatchObject({ reason: message, exit_code: 3 });
  });
});

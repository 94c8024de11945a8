/** The built payctl in a pseudo-terminal, driven by keystrokes: the interactive path end to end. */
import { describe, expect, it } from 'vitest';
import { payctlInTerminal } from '../helpers/terminal.js';
import { recordingServer, runCli, tempProject } from './helpers.js';

const PLAYBOOK = `
id: live
title: Live outage
inputs:
  eta: { prompt: "ETA for customers?" }
steps:
  - { id: mode, type: choose, title: Mode, prompt: "What now?", options: [wait, failover] }
  - { id: flip, type: set_status, title: Flip, status: identified, confirm: "Mark identified?", when: 'steps.mode.value == "failover"' }
  - { id: post, type: http, title: Post, method: POST, url: "URL/w", on_failure: continue }
  - { id: end, type: set_status, title: End, status: resolved }
`;

const drive = (dir: string, args: string[]) => payctlInTerminal(args, { cwd: dir });

describe('a person at a terminal', () => {
  it('answers inputs, picks an option with the arrow keys, approves a gate, and the run finishes', async () => {
    const srv = await recordingServer();
    try {
      const dir = tempProject({ live: PLAYBOOK.replace('URL', srv.url) });
      const t = drive(dir, ['incident', 'start', '-p', 'live']);
      await t.waitFor('ETA for customers?');
      t.write('45 minutes\r');
      await t.waitFor('What now?');
      t.write('\x1b[B'); // arrow down → failover
      t.write('\r');
      await t.waitFor('Mark identified?');
      t.write('y');
      t.write('\r');
      await t.waitFor(/finished/);
      expect(await t.exited).toBe(0);
      const shown = JSON.parse(runCli(dir, ['incident', 'list', '--json']).stdout)[0];
      const full = JSON.parse(runCli(dir, ['incident', 'show', shown.id, '--json']).stdout);
      expect(full.incident.answers.eta).toBe('45 minutes');
      expect(full.incident.steps.mode.result.value).toBe('failover');
      expect(full.incident.steps.flip.status).toBe('ok');
      expect(full.events.find((e: { type: string }) => e.type === 'approval_given').data.by).toBe('person');
      expect(full.incident.status).toBe('resolved');
      expect(srv.requests[0]!.headers['idempotency-key']).toBe(`payctl-${shown.id}-post`);
    } finally {
      await srv.close();
    }
  });

  it('Ctrl-C at a prompt saves the incident, prints the resume command, exits 3; resume asks again', async () => {
    const dir = tempProject({ live: PLAYBOOK.replace('URL', 'http://127.0.0.1:9') });
    const t = drive(dir, ['incident', 'start', '-p', 'live']);
    await t.waitFor('ETA for customers?');
    t.write('soon\r');
    await t.waitFor('What now?');
    t.write('\x03');
    expect(await t.exited).toBe(3);
    expect(t.screen()).toMatch(/payctl incident resume \d{8}-\d{6}-[0-9a-f]{4}/);
    const id = /payctl incident resume (\S+)/.exec(t.screen())![1]!;
    const state = JSON.parse(runCli(dir, ['incident', 'show', id, '--json']).stdout).incident;
    expect(state.run).toBe('stopped');
    expect(state.answers.eta).toBe('soon');
    const r = drive(dir, ['incident', 'resume', id]);
    await r.waitFor('What now?');
    r.write('\r'); // wait
    await r.waitFor(/finished with failed steps/);
    // the POST to a closed port failed; on_failure: continue let the run finish, and the exit code says so
    expect(await r.exited).toBe(1);
  });

  it('SIGTERM while a question is open saves the incident and exits 3, naming the signal', async () => {
    const dir = tempProject({ live: PLAYBOOK.replace('URL', 'http://127.0.0.1:9') });
    const t = drive(dir, ['incident', 'start', '-p', 'live']);
    await t.waitFor('ETA for customers?');
    t.write('soon\r');
    await t.waitFor('What now?');
    process.kill(t.pty.pid, 'SIGTERM');
    expect(await t.exited).toBe(3);
    expect(t.screen()).toContain('terminated during step "mode" (SIGTERM)');
    const id = /payctl incident resume (\S+)/.exec(t.screen())![1]!;
    const state = JSON.parse(runCli(dir, ['incident', 'show', id, '--json']).stdout).incident;
    expect(state.run).toBe('stopped');
    expect(state.answers.eta).toBe('soon');
  });
});

/**
 * What a wait says: the condition by its label (never the until expression), a
 * countdown that reads "waiting 3s (2s left)" on a terminal, and polling summed
 * up in one line with its count (a recheck prints no line per poll).
 */
import { describe, expect, it } from 'vitest';
import { payctlInTerminal } from '../helpers/terminal.js';
import { recordingServer, runCliAsync, tempProject } from './helpers.js';

const PLAYBOOK = `
id: poll
title: Poll a job
steps:
  - { id: probe, type: http, title: Read the job state, url: "URL/job", capture: { state: state } }
  - id: settle
    type: wait
    title: Let the job settle
    duration: 3s
  - id: done
    type: wait
    title: Wait for the job
    label: the job is done
    until: steps.probe.result.state == "done"
    recheck: [probe]
    interval: 1s
    timeout: 1m
`;

/** Answers "pending" until the nth request, then "done". */
async function jobServer(doneAt: number) {
  let n = 0;
  return recordingServer(() => ({ body: { state: ++n >= doneAt ? 'done' : 'pending' } }));
}

describe('wait lines', () => {
  it('unattended: one line for the whole poll, with the count and the last recheck; no raw condition', async () => {
    const srv = await jobServer(4);
    try {
      const dir = tempProject({ poll: PLAYBOOK.replace('URL', srv.url) });
      const r = await runCliAsync(dir, ['incident', 'start', '-p', 'poll', '--yes']);
      expect(r.code).toBe(0);
      const out = r.stdout + r.stderr;
      expect(out).not.toContain('steps.probe');
      expect(out.match(/Read the job state/g)).toHaveLength(1); // the first run only; rechecks print nothing
      expect(out).toContain('waiting until the job is done: checking every 1s, giving up after 1m');
      expect(out).toMatch(/✔ Wait for the job — done after \d+s \(3 checks; last: 200\)/);
      expect(out).toContain('✔ Let the job settle — waited 3s');
      expect(srv.requests).toHaveLength(4);
    } finally {
      await srv.close();
    }
  }, 30_000);

  it('at a terminal: "waiting 3s (2s left)" and the label with the checks so far', async () => {
    const srv = await jobServer(4);
    try {
      const dir = tempProject({ poll: PLAYBOOK.replace('URL', srv.url) });
      const t = payctlInTerminal(['incident', 'start', '-p', 'poll', '--yes'], { cwd: dir, cols: 200 });
      const code = await t.exited;
      const screen = t.screen();
      expect(code).toBe(0);
      expect(screen).toMatch(/⏳ Let the job settle: waiting 3s \([1-3]s left\)/);
      expect(screen).toMatch(/⏳ Wait for the job: waiting until the job is done: 1 check; last: 200, next in 1s \((1m|\d+s) left\)/);
      expect(screen).not.toContain('steps.probe');
    } finally {
      await srv.close();
    }
  }, 30_000);
});

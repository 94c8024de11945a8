/** Resume of a side-effect step that started but never completed. */
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { AbortedError } from '../../src/errors.js';
import { startIncident } from '../../src/engine/run.js';
import { resumeIncident } from '../../src/engine/resume.js';
import { Playbook } from '../../src/playbook/schema.js';
import { handlersThrowingAt, recordingServer, scriptedPrompter, tempProject, testContext } from './helpers.js';

async function interrupted() {
  const srv = await recordingServer();
  const text = `
id: r
title: R
steps:
  - { id: page, type: http, title: Page, method: POST, url: "${srv.url}/page" }
  - { id: end, type: set_status, title: End, status: resolved }
`;
  const dir = tempProject({ r: text });
  const playbook = Playbook.parse(parseDocument(text).toJS());
  // the process "dies" after step_started: the handler never returns a result
  const dying = handlersThrowingAt('http', new AbortedError('simulated crash'));
  const cap = testContext(dir);
  const first = await startIncident({ ctx: cap.ctx, playbook, registry: dying });
  expect(first.state.steps.page!.status).toBe('started');
  return { srv, dir, id: first.incident };
}

describe('resume an interrupted side-effect step', () => {
  it('unattended without --yes: exit 3 naming --yes; with --yes: retried with the same idempotency key', async () => {
    const { srv, dir, id } = await interrupted();
    try {
      const no = await resumeIncident({ ctx: testContext(dir).ctx, id });
      expect(no.exitCode).toBe(3);
      expect(no.error!.message).toContain('may or may not have taken effect');
      expect(no.error!.hint).toContain('--yes');
      expect(srv.requests).toHaveLength(0);
      const yes = await resumeIncident({ ctx: testContext(dir, { yes: true }).ctx, id });
      expect(yes.exitCode).toBe(0);
      expect(srv.requests).toHaveLength(1);
      expect(srv.requests[0]!.headers['idempotency-key']).toBe(`payctl-${id}-page`);
      expect(yes.state.steps.page!.attempts).toBe(2);
      expect(yes.state.status).toBe('resolved');
    } finally {
      await srv.close();
    }
  });

  it('a person may mark it done (not repeated) or retry it', async () => {
    const a = await interrupted();
    try {
      const p = scriptedPrompter(['mark_done']);
      const r = await resumeIncident({ ctx: testContext(a.dir).ctx, id: a.id, prompter: p });
      expect(r.exitCode).toBe(0);
      expect(a.srv.requests).toHaveLength(0);
      expect(r.state.steps.page!.reason).toBe('marked done by responder');
    } finally {
      await a.srv.close();
    }
    const b = await interrupted();
    try {
      const r = await resumeIncident({ ctx: testContext(b.dir).ctx, id: b.id, prompter: scriptedPrompter(['retry']) });
      expect(r.exitCode).toBe(0);
      expect(b.srv.requests).toHaveLength(1);
    } finally {
      await b.srv.close();
    }
  });
});

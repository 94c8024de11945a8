/** A wait resumed after its run was interrupted keeps the time it began (the trial: a resumed wait started over). */
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { fixedClock } from '../../src/clock.js';
import { AbortedError } from '../../src/errors.js';
import { startIncident } from '../../src/engine/run.js';
import { resumeIncident } from '../../src/engine/resume.js';
import { Playbook } from '../../src/playbook/schema.js';
import { handlersThrowingAt, tempProject, testContext } from './helpers.js';

const T0 = '2026-11-26T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

/** An incident whose run "died" inside its wait step, started at T0. */
async function interruptedWait(wait: string) {
  const text = `
id: w
title: W
steps:
  - { id: hold, type: wait, title: Hold, ${wait} }
  - { id: end, type: set_status, title: End, status: resolved }
`;
  const dir = tempProject({ w: text });
  const playbook = Playbook.parse(parseDocument(text).toJS());
  const dying = handlersThrowingAt('wait', new AbortedError('simulated kill'));
  const first = await startIncident({ ctx: testContext(dir, { clock: fixedClock(T0) }).ctx, playbook, registry: dying });
  expect(first.state.steps.hold!.status).toBe('started');
  return { dir, id: first.incident };
}

describe('a resumed wait', () => {
  it('a fixed wait waits only what was left of it', async () => {
    const { dir, id } = await interruptedWait('duration: 10m');
    const clock = fixedClock(at(8));
    const cap = testContext(dir, { clock, yes: true });
    const r = await resumeIncident({ ctx: cap.ctx, id });
    expect(r.exitCode, cap.stderr()).toBe(0);
    expect(clock.now().toISOString()).toBe(at(10)); // 2 minutes more, not 10
    expect(r.state.steps.hold).toMatchObject({ status: 'ok', result: { waited_ms: 10 * 60_000 } });
    expect(r.state.steps.hold!.resumed_from).toBeUndefined(); // cleared once it completed
    expect(cap.stdout()).toContain('continuing the wait begun 8m ago');
  });

  it('a fixed wait whose time passed meanwhile ends at once', async () => {
    const { dir, id } = await interruptedWait('duration: 5m');
    const clock = fixedClock(at(60));
    const r = await resumeIncident({ ctx: testContext(dir, { clock, yes: true }).ctx, id });
    expect(r.exitCode).toBe(0);
    expect(clock.now().toISOString()).toBe(at(60));
  });

  it('an until keeps its deadline: checked until the original timeout, not a new one', async () => {
    const { dir, id } = await interruptedWait('until: incident.status == "monitoring", interval: 1m, timeout: 10m');
    const clock = fixedClock(at(4));
    const r = await resumeIncident({ ctx: testContext(dir, { clock, yes: true }).ctx, id });
    expect(r.exitCode).toBe(1);
    expect(clock.now().toISOString()).toBe(at(10)); // gave up at T0 + 10m
    expect(r.state.steps.hold).toMatchObject({ status: 'failed', result: { checks: 7 } }); // at 4, 5, …, 10 minutes
    expect(r.state.steps.hold!.reason).toContain('gave up after 10m');
  });

  it('an until whose timeout passed meanwhile is checked once more, then fails', async () => {
    const { dir, id } = await interruptedWait('until: incident.status == "monitoring", interval: 1m, timeout: 10m');
    const clock = fixedClock(at(30));
    const r = await resumeIncident({ ctx: testContext(dir, { clock, yes: true }).ctx, id });
    expect(r.exitCode).toBe(1);
    expect(r.state.steps.hold).toMatchObject({ status: 'failed', result: { checks: 1 } });
  });

  it('a retry after the wait failed starts a new wait (only an interrupted attempt is continued)', async () => {
    const { dir, id } = await interruptedWait('until: incident.status == "monitoring", interval: 1m, timeout: 10m');
    await resumeIncident({ ctx: testContext(dir, { clock: fixedClock(at(30)), yes: true }).ctx, id });
    const clock = fixedClock(at(40));
    const again = await resumeIncident({ ctx: testContext(dir, { clock, yes: true }).ctx, id });
    expect(again.exitCode).toBe(1);
    expect(clock.now().toISOString()).toBe(at(50)); // a full 10m from the retry
  });
});

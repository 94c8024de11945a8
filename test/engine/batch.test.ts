/**
 * Which events the engine writes together (session.appendAll: one lock, one
 * write, one fsync), counted on the real writer: every lock+fsync cycle is one
 * TimelineWriter.appendAll call (append() is appendAll() of one).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { startIncident } from '../../src/engine/run.js';
import { IncidentSession } from '../../src/engine/session.js';
import { Playbook } from '../../src/playbook/schema.js';
import { fixedClock } from '../../src/clock.js';
import { stepHandlers } from '../../src/steps/index.js';
import type { StepRegistry } from '../../src/engine/types.js';
import type { NewEvent, TimelineEvent } from '../../src/timeline/events.js';
import { timelinePath } from '../../src/timeline/store.js';
import { verifyTimeline } from '../../src/timeline/verify.js';
import { TimelineWriter } from '../../src/timeline/writer.js';
import { parseVars } from '../../src/ui/answers.js';
import { scriptedPrompter, tempProject, testContext } from './helpers.js';

const pb = (yaml: string) => Playbook.parse(parseDocument(yaml).toJS());
const label = (e: NewEvent | TimelineEvent) => (e.type === 'milestone' ? `milestone:${(e.data as { name: string }).name}` : e.type);

/** The batches written through the real writer, and what had been printed when each started. */
function recordBatches(printed: () => string) {
  const batches: { events: string[]; printedBefore: string }[] = [];
  const original = TimelineWriter.prototype.appendAll;
  vi.spyOn(TimelineWriter.prototype, 'appendAll').mockImplementation(function (this: TimelineWriter, evs: readonly NewEvent[]) {
    batches.push({ events: evs.map(label), printedBefore: printed() });
    return original.call(this, evs);
  });
  return batches;
}

afterEach(() => {
  vi.restoreAllMocks();
});

const FAILOVER = `
id: failover
title: Fail over to adyen
steps:
  - { id: failover, type: switch_provider, title: Fail over to adyen, to: adyen, confirm: "Move payment traffic to adyen?", on_failure: abort }
`;

describe('engine: events written together', () => {
  it('a failover with --yes: 10 events in 3 lock+fsync cycles; the approval by flag with step_started, on disk before the switch', async () => {
    const dir = tempProject();
    const cap = testContext(dir, { yes: true, clock: fixedClock('2026-01-01T02:00:00Z') });
    const batches = recordBatches(() => cap.stdout() + cap.stderr());
    let lastLineWhenSwitching = '';
    let batchesWhenSwitching = 0;
    const registry: StepRegistry = {
      ...stepHandlers,
      switch_provider: async (run) => {
        const lines = readFileSync(timelinePath(cap.ctx.config().storeDir, run.incident.id), 'utf8').trim().split('\n');
        lastLineWhenSwitching = lines.at(-1)!;
        batchesWhenSwitching = batches.length;
        return { outcome: 'ok', result: { from: 'stripe', to: 'adyen', failback: false, verified: true }, message: 'moved' };
      },
    };
    const report = await startIncident({ ctx: cap.ctx, playbook: pb(FAILOVER), registry, source: 'failover' });
    expect(report.exitCode).toBe(0);
    expect(batches.map((b) => b.events)).toEqual([
      ['incident_opened', 'milestone:detected', 'run_started'],
      ['approval_requested', 'approval_given', 'milestone:acknowledged', 'step_started'],
      ['step_completed', 'milestone:mitigated', 'run_finished'],
    ]);
    // the switch ran after step_started was on disk
    expect(JSON.parse(lastLineWhenSwitching)).toMatchObject({ type: 'step_started', step: 'failover' });
    expect(batchesWhenSwitching).toBe(2);
    // nothing about an event is printed before it is written
    expect(batches[0]!.printedBefore).not.toContain('incident');
    expect(batches[2]!.printedBefore).not.toContain('✔');
    expect(cap.stdout()).toContain('✔ Fail over to adyen');
    const file = timelinePath(cap.ctx.config().storeDir, report.incident);
    expect(verifyTimeline(file)).toMatchObject({ ok: true, events: 10 });
    expect(report.state).toMatchObject({
      run: 'finished',
      milestones: { detected: expect.any(String), acknowledged: expect.any(String), mitigated: expect.any(String) },
    });
  });

  it('unattended inputs are written with the opening; run_finished records a failed step (on_failure: continue)', async () => {
    const dir = tempProject();
    const cap = testContext(dir, { clock: fixedClock('2026-01-01T02:00:00Z') });
    const batches = recordBatches(() => cap.stdout());
    const registry: StepRegistry = { ...stepHandlers, http: async () => ({ outcome: 'failed', error: 'nope' }) };
    const report = await startIncident({
      ctx: cap.ctx,
      registry,
      answers: parseVars(['who=ops']),
      playbook: pb(`
id: t
title: T
inputs:
  who: { prompt: Who }
  region: { prompt: Region, default: eu }
steps:
  - { id: call, type: http, title: Call, method: GET, url: "http://127.0.0.1:9/x", on_failure: continue }
  - { id: last, type: set_status, title: Last, status: monitoring }
`),
    });
    expect(report).toMatchObject({ exitCode: 0, outcome: 'failed' });
    const events = batches.map((b) => b.events);
    expect(events[0]).toEqual(['incident_opened', 'milestone:detected', 'run_started', 'input_answered', 'input_answered']);
    expect(events.at(-1)).toEqual(['step_completed', 'run_finished']);
    const file = timelinePath(cap.ctx.config().storeDir, report.incident);
    const written = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TimelineEvent);
    expect(written.at(-1)).toMatchObject({ type: 'run_finished', data: { outcome: 'failed' } });
    expect(report.state.answers).toEqual({ who: 'ops', region: 'eu' });
    expect(verifyTimeline(file).ok).toBe(true);
  });

  it('with a person: the question is on disk before it is asked; a decline is recorded with the skip (and run_finished)', async () => {
    const dir = tempProject();
    const cap = testContext(dir, { clock: fixedClock('2026-01-01T02:00:00Z') });
    const batches = recordBatches(() => cap.stdout());
    const lastLineWhenAsked: string[] = [];
    const prompter = scriptedPrompter([true, false], {
      beforeConfirm: () => {
        const lines = readFileSync(timelinePath(cap.ctx.config().storeDir, report0()), 'utf8').trim().split('\n');
        lastLineWhenAsked.push(label(JSON.parse(lines.at(-1)!) as TimelineEvent));
      },
    });
    const report0 = () => readdirSync(cap.ctx.config().storeDir).find((d) => !d.startsWith('.'))!;
    const report = await startIncident({
      ctx: cap.ctx,
      prompter,
      playbook: pb(`
id: t
title: T
steps:
  - { id: a, type: set_status, title: A, status: identified, confirm: "Do A?" }
  - { id: b, type: set_status, title: B, status: monitoring, confirm: "Do B?" }
`),
    });
    expect(report.exitCode).toBe(0);
    const events = batches.map((b) => b.events);
    expect(events).toContainEqual(['approval_requested']);
    expect(lastLineWhenAsked).toEqual(['approval_requested', 'approval_requested']);
    expect(events).toContainEqual(['approval_given', 'milestone:acknowledged']);
    expect(events.at(-1)).toEqual(['approval_denied', 'step_completed', 'run_finished']);
    expect(report.state.steps.b).toMatchObject({ status: 'skipped', reason: 'not approved by responder' });
    expect(report.state.run).toBe('finished');
    expect(verifyTimeline(timelinePath(cap.ctx.config().storeDir, report.incident)).ok).toBe(true);
  });
});

describe('IncidentSession.appendAll', () => {
  it('applies every event to the state and onEvent, in order, once all are written', async () => {
    const dir = tempProject();
    const cap = testContext(dir);
    const session = await IncidentSession.create(await cap.ctx.store(), '20260101-020000-abcd', cap.ctx.clock);
    const seen: string[] = [];
    session.onEvent = (e) =>
      seen.push(
        `${e.seq} ${label(e)} ${readFileSync(timelinePath(cap.ctx.config().storeDir, session.id), 'utf8').trim().split('\n').length}`,
      );
    await session.appendAll([
      { type: 'incident_opened', data: { id: '20260101-020000-abcd', title: 'T', severity: 'sev2', dry_run: false, source: 'test' } },
      { type: 'milestone', data: { name: 'detected' } },
      { type: 'note_added', data: { text: 'hello' } },
    ]);
    // each onEvent call saw all three lines already on disk
    expect(seen).toEqual(['1 incident_opened 3', '2 milestone:detected 3', '3 note_added 3']);
    expect(session.state()).toMatchObject({ event_count: 3, milestones: { detected: expect.any(String) }, notes: [{ text: 'hello' }] });
  });

  it('refuses a first batch that does not begin with incident_opened, writing nothing', async () => {
    const dir = tempProject();
    const cap = testContext(dir);
    const session = await IncidentSession.create(await cap.ctx.store(), '20260101-020000-abce', cap.ctx.clock);
    await expect(session.appendAll([{ type: 'note_added', data: { text: 'x' } }])).rejects.toThrow('must be incident_opened');
    expect(readFileSync(timelinePath(cap.ctx.config().storeDir, session.id), 'utf8')).toBe('');
  });
});

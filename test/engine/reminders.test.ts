/** Reminders with fake timers: recorded when due (even while a step runs), shown at the next prompt. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setTimeout as realSleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { parseDocument } from 'yaml';
import { startIncident } from '../../src/engine/run.js';
import { Playbook } from '../../src/playbook/schema.js';
import { IncidentSession } from '../../src/engine/session.js';
import { DirectoryStore } from '../../src/store/directory.js';
import { Reminders, reminderSpec } from '../../src/engine/reminders.js';
import { systemClock } from '../../src/clock.js';
import { createInquirerPrompter } from '../../src/ui/inquirer.js';
import { timelinePath } from '../../src/timeline/store.js';
import { scriptedPrompter, tempProject, testContext } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Fake setTimeout, clearTimeout and Date from 2026-01-01T02:00:00Z; a project directory. */
function projectOnFakeTime(): string {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(new Date('2026-01-01T02:00:00Z'));
  return tempProject();
}

/** An opened incident `id` in the project's store. */
async function openedSession(dir: string, id: string): Promise<IncidentSession> {
  const session = await IncidentSession.create(new DirectoryStore(`${dir}/.payctl/incidents`), id, systemClock, 'tester');
  await session.append({ type: 'incident_opened', data: { id, title: 'T', severity: 'sev2', dry_run: false, source: 'test' } });
  return session;
}

const playbookOf = (yaml: string) => Playbook.parse(parseDocument(yaml).toJS());

describe('reminders', () => {
  it('fire on schedule, are recorded, shown via notice, and stop once resolved', async () => {
    const dir = projectOnFakeTime();
    const session = await openedSession(dir, 'inc-1');
    const prompter = scriptedPrompter([]);
    const reminders = new Reminders(session, prompter);
    reminders.arm(reminderSpec('playbook', { every: '30m', message: 'update customers' }, 'x')!, session.state().opened_at);
    await vi.advanceTimersByTimeAsync(29 * 60_000);
    expect(prompter.notices).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(prompter.notices).toEqual(['⏰ reminder: update customers']);
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(prompter.notices).toHaveLength(2);
    await reminders.flush();
    expect(session.state().reminders.playbook).toBe('2026-01-01T03:00:00.000Z');
    await session.append({ type: 'status_changed', data: { from: 'investigating', to: 'resolved' } });
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(prompter.notices).toHaveLength(2);
    await reminders.stop();
  });

  it('a re-armed reminder (resume) counts from its last firing', async () => {
    const dir = projectOnFakeTime();
    const session = await openedSession(dir, 'inc-2');
    vi.setSystemTime(new Date('2026-01-01T02:50:00Z'));
    await session.append({ type: 'reminder_fired', data: { reminder: 'playbook', message: 'm' } });
    const prompter = scriptedPrompter([]);
    const reminders = new Reminders(session, prompter);
    reminders.arm(reminderSpec('playbook', '1h', 'again')!, session.state().opened_at);
    await vi.advanceTimersByTimeAsync(59 * 60_000);
    expect(prompter.notices).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(prompter.notices).toEqual(['⏰ reminder: again']);
    await reminders.stop();
  });

  it('a step reminder falls due while a later step is running and is shown at the next prompt', async () => {
    const dir = projectOnFakeTime();
    const cap = testContext(dir, { clock: systemClock });
    const playbook = playbookOf(`
id: r
title: R
steps:
  - { id: tell, type: manual, title: Tell customers, remind_every: { every: 10m, message: "post a customer update" } }
  - { id: busy, type: wait, title: Busy, duration: 25m }
  - { id: ask, type: input, title: Ask, prompt: "anything?" }
`);
    const prompter = scriptedPrompter([true, 'no']);
    const report = await runOnFakeTime(startIncident({ ctx: cap.ctx, playbook, prompter }));
    const fired = Object.keys(report.state.reminders);
    expect(fired).toEqual(['step:tell']);
    expect(prompter.notices).toEqual(['⏰ reminder: post a customer update', '⏰ reminder: post a customer update']);
    expect(prompter.asked.at(-1)).toBe('anything?');
  });

  it('due several times while the responder was busy: one line with a count at the next prompt; every firing recorded', async () => {
    const dir = projectOnFakeTime();
    const cap = testContext(dir, { clock: systemClock });
    const playbook = playbookOf(`
id: r
title: R
steps:
  - { id: tell, type: set_status, title: Tell, status: identified, remind_every: { every: 10m, message: "Post a customer update" } }
  - { id: busy, type: wait, title: Busy, duration: 45m }
  - { id: ask, type: input, title: Ask, prompt: "anything?" }
`);
    const input = new PassThrough();
    const output = new PassThrough();
    output.resume();
    const prompter = createInquirerPrompter({ out: cap.ctx.out, input, output });
    input.write('no\n'); // buffered until the question reads it
    const report = await runOnFakeTime(startIncident({ ctx: cap.ctx, playbook, prompter }));
    expect(report.state.steps.ask).toMatchObject({ status: 'ok', result: { value: 'no' } });
    const shown = cap
      .stderr()
      .split('\n')
      .filter((l) => l.includes('reminder'));
    expect(shown).toEqual(['⏰ reminder: Post a customer update (×4)']);
    const events = readFileSync(timelinePath(cap.ctx.config().storeDir, report.incident), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'reminder_fired')).toHaveLength(4);
  });
});

/** Advance fake time in slices until the run ends, letting the real file I/O of each append complete in between. */
async function runOnFakeTime<T>(run: Promise<T>): Promise<T> {
  let done = false;
  const tracked = run.finally(() => (done = true));
  for (let i = 0; i < 2000 && !done; i++) {
    await vi.advanceTimersByTimeAsync(10_000);
    await realSleep(2);
  }
  return tracked;
}

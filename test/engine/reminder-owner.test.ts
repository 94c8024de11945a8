/** A reminder with `owner:` names the role and who holds it, to them as "you", and records both (fake timers). */
import { afterEach, expect, it, vi } from 'vitest';
import { IncidentSession } from '../../src/engine/session.js';
import { DirectoryStore } from '../../src/store/directory.js';
import { Reminders, reminderSpec } from '../../src/engine/reminders.js';
import { systemClock } from '../../src/clock.js';
import { scriptedPrompter, tempProject } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

it('fires "for comms (sam)", "(you)" for sam, and records the owner with who held the role', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(new Date('2026-01-01T02:00:00Z'));
  vi.stubEnv('PAYCTL_ACTOR', 'alice');
  const dir = tempProject();
  const session = await IncidentSession.create(new DirectoryStore(`${dir}/.payctl/incidents`), 'inc-1', systemClock, 'alice');
  await session.append({ type: 'incident_opened', data: { id: 'inc-1', title: 'T', severity: 'sev2', dry_run: false, source: 'test' } });
  const prompter = scriptedPrompter([]);
  const reminders = new Reminders(session, prompter);
  const spec = reminderSpec('playbook', { every: '30m', message: 'post the customer update', owner: 'comms' }, 'x')!;
  expect(spec.owner).toBe('comms');
  reminders.arm(spec, session.state().opened_at);

  await vi.advanceTimersByTimeAsync(30 * 60_000);
  await reminders.flush();
  expect(prompter.notices).toEqual(['⏰ reminder for comms (nobody yet): post the customer update']);

  await session.append({ type: 'role_assigned', data: { role: 'comms', person: 'sam' } });
  await vi.advanceTimersByTimeAsync(30 * 60_000);
  await reminders.flush();
  expect(prompter.notices[1]).toBe('⏰ reminder for comms (sam): post the customer update');

  vi.stubEnv('PAYCTL_ACTOR', 'sam');
  const shownToSam = scriptedPrompter([]);
  const samsReminders = new Reminders(session, shownToSam);
  samsReminders.arm(spec, session.state().opened_at);
  await vi.advanceTimersByTimeAsync(30 * 60_000);
  await samsReminders.flush();
  expect(shownToSam.notices).toContain('⏰ reminder for comms (you): post the customer update');

  const fired = (await session.store.read('inc-1')).events.filter((e) => e.type === 'reminder_fired').map((e) => e.data);
  expect(fired[0]).toEqual({ reminder: 'playbook', message: 'post the customer update', owner: { role: 'comms' } });
  expect(fired[1]).toEqual({ reminder: 'playbook', message: 'post the customer update', owner: { role: 'comms', person: 'sam' } });
  await reminders.stop();
  await samsReminders.stop();
});

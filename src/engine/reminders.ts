/**
 * Reminders and escalation timers (`remind_every` on the playbook or a step).
 * The playbook's runs from the start of the incident; a step's from the moment
 * it completed ok (e.g. "update customers every 30m" after the first notice).
 * When one falls due it is recorded (reminder_fired) at once, even while
 * another step runs, and shown at the next prompt (prompter.notice, which
 * shows identical notices queued meanwhile once, with a count). Nothing
 * fires once the incident is resolved. A reminder with `owner:` names the role
 * and who holds it ("for comms (sam)", "(you)" to that person), in the notice
 * and in its reminder_fired. Timers are plain setTimeout (unref'd),
 * so tests drive them with fake timers.
 */
import { isOpen } from '../timeline/replay.js';
import { parseDuration } from '../duration.js';
import type { Reminder } from '../playbook/schema.js';
import type { IncidentHandle } from './types.js';
import type { Prompter } from '../ui/prompter.js';
import { roleHolder } from '../playbook/roles.js';
import { actorName } from '../timeline/actor.js';

export interface ArmedReminder {
  id: string;
  everyMs: number;
  message: string;
  /** The role it is for (`owner:`): shown with who holds it when it fires. */
  owner?: string;
}

export function reminderSpec(id: string, r: Reminder, fallback: string): ArmedReminder | undefined {
  const every = typeof r === 'string' ? r : r.every;
  const everyMs = parseDuration(every);
  if (!everyMs || everyMs <= 0) return undefined;
  const message = typeof r === 'string' ? fallback : (r.message ?? fallback);
  const owner = typeof r === 'string' ? undefined : r.owner;
  return { id, everyMs, message, ...(owner ? { owner } : {}) };
}

export class Reminders {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly pending = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly incident: IncidentHandle,
    private readonly prompter: Prompter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Arm a reminder. `since` is when its period started (the incident's start, or
   * when the step completed); a reminder that fired before (replayed) counts
   * from its last firing, so a resume neither repeats nor forgets one.
   */
  arm(r: ArmedReminder, since: string): void {
    if (this.stopped) return;
    const last = this.incident.state().reminders[r.id];
    const from = Date.parse(last ?? since);
    const delay = Math.max(0, from + r.everyMs - this.now().getTime());
    this.schedule(r, delay);
  }

  private schedule(r: ArmedReminder, delay: number): void {
    clearTimeout(this.timers.get(r.id));
    const t = setTimeout(() => {
      this.timers.delete(r.id);
      const p = this.fire(r).catch(() => undefined);
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    }, delay);
    t.unref?.();
    this.timers.set(r.id, t);
  }

  private async fire(r: ArmedReminder): Promise<void> {
    if (this.stopped) return;
    if (!isOpen(this.incident.state())) return; // nothing to remind of any more
    const roles = this.incident.state().roles;
    const person = r.owner ? roles[r.owner] : undefined;
    // (only a reminder for a role asks who this is: the others fire without waiting)
    const forWhom = r.owner ? ` for ${roleHolder(r.owner, roles, await actorName())}` : '';
    this.prompter.notice(`⏰ reminder${forWhom}: ${r.message}`);
    this.schedule(r, r.everyMs);
    const owner = r.owner ? { owner: { role: r.owner, ...(person ? { person } : {}) } } : {};
    await this.incident.append({ type: 'reminder_fired', data: { reminder: r.id, message: r.message, ...owner } });
  }

  /** Wait until every fired reminder is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Ids of armed reminders (tests, show). */
  armed(): string[] {
    return [...this.timers.keys()];
  }

  /** Stop every timer and wait for a firing in progress to be written. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.pending]);
  }
}

/**
 * Changing an incident's status, and the milestones that follow from status
 * and step results. Used by the engine, the set_status step and the
 * note/status/resolve commands, so every path records the same events.
 */
import { InvalidInputError } from '../errors.js';
import type { IncidentStatus } from '../playbook/schema.js';
import type { Milestone, NewEvent, TimelineEvent } from './events.js';
import type { IncidentState } from './replay.js';

type Append = (ev: NewEvent) => Promise<TimelineEvent>;

/**
 * status_changed (unless unchanged), then the resolved milestone when it
 * becomes resolved. `state` must be current: a run re-reads it from the
 * timeline first (IncidentHandle.refresh), so a status set from another shell
 * is the `from`. A cancelled incident's status no longer changes.
 */
export async function recordStatusChange(append: Append, state: IncidentState, to: IncidentStatus, message?: string): Promise<boolean> {
  const from = state.status;
  if (from === 'cancelled') throw cancelledError(state);
  if (from === to) return false;
  await append({ type: 'status_changed', data: { from, to, ...(message ? { message } : {}) } });
  if (to === 'resolved') await recordMilestone(append, state, 'resolved', true);
  return true;
}

/** Record a milestone once (resolved and failed_back may recur when `again` is true). */
export async function recordMilestone(
  append: Append,
  state: IncidentState,
  name: Milestone,
  again = false,
  at?: string,
  note?: string,
): Promise<boolean> {
  const ev = milestoneEvent(state, name, again, at, note);
  if (!ev) return false;
  await append(ev);
  return true;
}

/** The milestone event recordMilestone would append, or undefined when it is already recorded (to append it in a batch). */
export function milestoneEvent(state: IncidentState, name: Milestone, again = false, at?: string, note?: string): NewEvent | undefined {
  if (state.milestones[name] && !again) return undefined;
  return { type: 'milestone', data: { name, ...(at ? { at } : {}), ...(note ? { note } : {}) } };
}

/** The error for changing a cancelled incident (exit 2). */
export function cancelledError(state: Pick<IncidentState, 'id' | 'cancelled'>): InvalidInputError {
  const c = state.cancelled;
  return new InvalidInputError(
    `incident ${state.id} was cancelled${c ? ` (${c.reason}, by ${c.by} at ${c.at})` : ''}: it is closed`,
    'a cancelled incident stays closed; start a new one with payctl incident start',
  );
}

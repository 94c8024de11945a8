/**
 * What went well, what went wrong, and action items, derived from the
 * timeline: failed or retried steps, approvals that waited long, reminders
 * that fired, skipped steps, failed deliveries. Hints for people to edit.
 */
import type { IncidentState } from '../timeline/replay.js';
import type { Facts } from './facts.js';
import type { MetricValue } from './metrics.js';
import type { ProviderPerformance } from './providers.js';
import { formatDuration } from '../duration.js';
import { formatTime } from './time.js';

/** An approval that waited longer than this is "long". */
export const LONG_APPROVAL_MS = 5 * 60_000;

export interface Hints {
  went_well: string[];
  went_wrong: string[];
  action_items: string[];
}

export function deriveHints(state: IncidentState, facts: Facts, metrics: MetricValue[], providers: ProviderPerformance[]): Hints {
  const well: string[] = [];
  const wrong: string[] = [];
  const actions: string[] = [];
  const pb = state.playbook ?? '(no playbook)';
  const stepRef = (id: string) => `playbook ${pb}, step ${id}`;
  const failedCount = new Map<string, number>();
  for (const f of facts.failedAttempts) failedCount.set(f.step, (failedCount.get(f.step) ?? 0) + 1);

  for (const id of state.step_order) {
    const st = state.steps[id]!;
    const label = `step ${id} (${st.title})`;
    if (st.status === 'failed') {
      wrong.push(`${cap(label)} failed${st.reason ? `: ${st.reason}` : ''}.`);
      actions.push(`Update ${stepRef(id)}: it failed${st.reason ? ` (${st.reason})` : ''}; fix the step or its on_failure policy.`);
    } else if (st.status === 'skipped') {
      const why = st.reason ?? 'no reason recorded';
      if (/responder|marked done/i.test(why)) wrong.push(`${cap(label)} was ${why.startsWith('marked') ? why : `skipped (${why})`}.`);
      actions.push(`Update ${stepRef(id)}: it was skipped (${why}); check that this is what the playbook should do here.`);
    } else if (st.status === 'started') {
      wrong.push(`${cap(label)} was started but never completed (interrupted).`);
      actions.push(`Update ${stepRef(id)}: it was interrupted; check its timeout and whether it can be resumed safely.`);
    }
    const fails = failedCount.get(id) ?? 0;
    if (st.status === 'ok' && (fails > 0 || st.attempts > 1)) {
      wrong.push(`${cap(label)} needed ${Math.max(st.attempts, fails + 1)} attempts before it succeeded.`);
      actions.push(`Update ${stepRef(id)}: it needed retries; review its timeout and retries, or the provider behind it.`);
    }
  }

  for (const a of facts.approvals) {
    if (a.denied) wrong.push(`The approval for step ${a.step ?? '?'} ("${a.question}") was denied.`);
    else if (a.waited_ms !== undefined && a.waited_ms >= LONG_APPROVAL_MS) {
      wrong.push(`The approval for step ${a.step ?? '?'} waited ${formatDuration(a.waited_ms)}.`);
      actions.push(`Update ${stepRef(a.step ?? '?')}: its approval waited ${formatDuration(a.waited_ms)}; decide whether the gate is needed or who may approve it.`);
    } else if (!a.answered_at) wrong.push(`The approval for step ${a.step ?? '?'} was never answered.`);
  }

  const reminders = new Map<string, number>();
  for (const r of facts.reminders) reminders.set(r.message || r.reminder, (reminders.get(r.message || r.reminder) ?? 0) + 1);
  for (const [msg, n] of reminders) wrong.push(`Reminder "${msg}" fired ${n} time${n === 1 ? '' : 's'}: something waited on a person.`);

  for (const n of facts.notifications) {
    const failed = n.channels.filter((c) => !c.ok);
    for (const c of failed) wrong.push(`The ${n.template} message was not delivered to ${c.name}${c.error ? ` (${c.error})` : ''}.`);
  }
  const delivered = facts.notifications.flatMap((n) => n.channels.filter((c) => c.ok));
  if (delivered.length && delivered.length === facts.notifications.flatMap((n) => n.channels).length) {
    well.push(`Every message was delivered (${delivered.length} deliveries across ${new Set(delivered.map((c) => c.name)).size} channels).`);
  }

  for (const s of facts.switches) {
    const what = `switch ${s.from ?? '?'} → ${s.to}`;
    if (s.outcome !== 'ok') wrong.push(`The ${what} failed${s.reason ? `: ${s.reason}` : ''}.`);
    else if (s.rolled_back) wrong.push(`The ${what} was rolled back.`);
    else if (!s.verified) wrong.push(`The ${what} was not verified by reading the routing back.`);
    else well.push(`The ${s.failback ? 'failback' : 'failover'} ${s.from ?? '?'} → ${s.to} was verified by reading the routing back.`);
  }

  const mitigate = metrics.find((m) => m.key === 'time_to_mitigate');
  if (mitigate && mitigate.ms !== null) well.push(`Customer impact was mitigated ${formatDuration(mitigate.ms)} after detection.`);
  else wrong.push('No mitigated milestone was recorded: either impact was never mitigated, or the timeline does not say when.');

  for (const p of providers) {
    for (const e of p.escalations) {
      if (e.response_ms !== null) well.push(`${p.provider} responded to our escalation after ${formatDuration(e.response_ms)}.`);
      else wrong.push(`${p.provider} did not respond to our escalation of ${e.at} (no note or acknowledgement recorded).`);
    }
    if (p.admission_delay_ms !== null && p.admission_delay_ms > 0) {
      actions.push(`Raise with ${p.provider}: its status page admitted the problem ${formatDuration(p.admission_delay_ms)} after we detected it.`);
    }
  }

  for (const r of facts.reopens) wrong.push(`The incident was reopened at ${formatTime(r.at)} after being resolved${r.message ? ` (${r.message})` : ''}.`);
  for (const s of facts.runStops) wrong.push(`The run stopped before the end: ${s.reason}.`);
  if (!facts.failedAttempts.length && state.step_order.length) well.push('No step failed.');
  if (!facts.readings.length) actions.push('Add a query_metrics step (success rate) to the playbook, so the next postmortem can show the impact.');

  return { went_well: dedupe(well), went_wrong: dedupe(wrong), action_items: dedupe(actions) };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

/**
 * What went well, what went wrong, and action items, derived from the
 * timeline: failed or retried steps, approvals that waited long, reminders
 * that fired, steps a person skipped, failed deliveries. Hints for people to
 * edit. Things that worked as designed (a branch whose `when:` was false, a
 * step polled by a wait step's recheck, a run resumed after Ctrl-C, a switch
 * that found traffic already in place) are neutral notes, never action items.
 */
import type { IncidentState } from '../timeline/replay.js';
import { movedTraffic, type Facts } from './facts.js';
import type { Impact } from './impact.js';
import type { MetricValue } from './metrics.js';
import type { ProviderPerformance } from './providers.js';
import { formatDuration } from '../duration.js';
import { between, clockTime, formatTime } from './time.js';
import { percent } from './markdown.js';
import { isBuiltInIncident } from '../engine/built-in-steps.js';

/** An approval that waited longer than this is "long". */
export const LONG_APPROVAL_MS = 5 * 60_000;

export interface Hints {
  went_well: string[];
  went_wrong: string[];
  action_items: string[];
  /** Neutral facts worth knowing: branches not taken, resumed runs, switches with nothing to do. */
  notes: string[];
}

/** A skip that is the playbook working as designed, not a problem. */
export const isBranchNotTaken = (reason: string | undefined) => Boolean(reason && /^when was false\b/.test(reason));

export function deriveHints(
  state: IncidentState,
  facts: Facts,
  metrics: MetricValue[],
  providers: ProviderPerformance[],
  impact: Impact,
): Hints {
  const well: string[] = [];
  const wrong: string[] = [];
  const actions: string[] = [];
  const notes: string[] = [];
  const pb = state.playbook ?? '(no playbook)';
  // a step of payctl failover/failback (their own incident, or joined to one) is no playbook's to update
  const builtIn = (id: string) => isBuiltInIncident(state) || facts.joinedSteps.has(id);
  const update = (id: string, what: string, playbookAdvice: string, commandAdvice: string) =>
    builtIn(id)
      ? `Review step ${id} (the built-in payctl ${id.replace(/-\d+$/, '')} command, not a playbook): ${what}; ${commandAdvice}.`
      : `Update playbook ${pb}, step ${id}: ${what}; ${playbookAdvice}.`;
  const branches: string[] = [];

  for (const id of state.step_order) {
    const st = state.steps[id]!;
    const label = st.title && st.title !== id ? `step ${id} (${st.title})` : `step ${id}`;
    if (st.status === 'failed') {
      wrong.push(`${cap(label)} failed${st.reason ? `: ${st.reason}` : ''}.`);
      actions.push(
        update(
          id,
          `it failed${st.reason ? ` (${st.reason})` : ''}`,
          'fix the step or its on_failure policy',
          'check the routing and the target provider before running it again',
        ),
      );
    } else if (st.status === 'skipped') {
      const why = st.reason ?? 'no reason recorded';
      if (isBranchNotTaken(why)) {
        const condition = why.replace(/^when was false:?\s*/, '');
        branches.push(condition ? `${id} (when: ${condition})` : id);
      } else {
        if (/responder/i.test(why)) wrong.push(`${cap(label)} was skipped (${why}).`);
        actions.push(
          update(
            id,
            `it was skipped (${why})`,
            'check that this is what the playbook should do here',
            'check that this is what should happen here',
          ),
        );
      }
    } else if (st.status === 'started') {
      wrong.push(`${cap(label)} was started but never completed (interrupted).`);
      actions.push(
        update(
          id,
          'it was interrupted',
          'check its timeout and whether it can be resumed safely',
          'check where traffic is (payctl providers) and resume it (payctl incident resume)',
        ),
      );
    }
    // only an attempt after a failed one is a retry: a recheck re-running a step that succeeded is polling, a re-run after an interruption is a resume
    const retries = facts.stepRuns.get(id)?.retries ?? 0;
    if (st.status === 'ok' && retries > 0) {
      wrong.push(
        `${cap(label)} needed ${retries + 1} attempts before it succeeded (${retries} retr${retries === 1 ? 'y' : 'ies'} after a failure).`,
      );
      actions.push(
        update(id, 'it needed retries', 'review its timeout and retries, or the provider behind it', 'review the provider behind it'),
      );
    }
  }
  if (branches.length)
    notes.push(`Not run because their \`when:\` condition was false (branches of the playbook, as designed): ${branches.join('; ')}.`);
  const resumed = [...facts.stepRuns].filter(([, r]) => r.resumes > 0).map(([id]) => id);
  if (resumed.length) notes.push(`Re-run after an interruption (resumed, not retried): ${resumed.join(', ')}.`);

  for (const a of facts.approvals) {
    if (a.denied) wrong.push(`The approval for step ${a.step ?? '?'} ("${a.question}") was denied.`);
    else if (a.waited_ms !== undefined && a.waited_ms >= LONG_APPROVAL_MS) {
      wrong.push(`The approval for step ${a.step ?? '?'} waited ${formatDuration(a.waited_ms)}.`);
      actions.push(
        update(
          a.step ?? '?',
          `its approval waited ${formatDuration(a.waited_ms)}`,
          'decide whether the gate is needed or who may approve it',
          'decide who may approve it',
        ),
      );
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
    well.push(
      `Every message was delivered (${delivered.length} deliveries across ${new Set(delivered.map((c) => c.name)).size} channels).`,
    );
  }

  for (const m of facts.manuals) {
    if (m.unattended && !m.checked.length && m.unchecked.length)
      notes.push(`The checklist of step ${m.step} was shown with no person to confirm it: ${m.unchecked.join('; ')}.`);
    else if (m.unchecked.length) wrong.push(`Step ${m.step}: checklist items not done: ${m.unchecked.join('; ')}.`);
  }

  for (const s of facts.switches) {
    const what = `switch ${s.from ?? '?'} → ${s.to}`;
    if (s.outcome === 'ok' && s.dry_run) notes.push(`The ${what} was a dry run: nothing was written.`);
    else if (s.outcome === 'ok' && s.unchanged)
      notes.push(`The ${what}${s.step ? ` (step ${s.step})` : ''} found traffic already on ${s.to}: nothing was written.`);
    else if (s.outcome !== 'ok') wrong.push(`The ${what} failed${s.reason ? `: ${s.reason}` : ''}.`);
    else if (s.rolled_back) wrong.push(`The ${what} was rolled back.`);
    else if (!s.verified) wrong.push(`The ${what} was not verified by reading the routing back.`);
    else if (movedTraffic(s))
      well.push(`The ${s.failback ? 'failback' : 'failover'} ${s.from ?? '?'} → ${s.to} was verified by reading the routing back.`);
  }

  const mitigate = metrics.find((m) => m.key === 'time_to_mitigate');
  const rec = impact.recovery;
  const threshold = percent(impact.success_rate.threshold, 0);
  if (!mitigate || mitigate.ms === null || !rec)
    wrong.push('No mitigated milestone was recorded: either impact was never mitigated, or the timeline does not say when.');
  else {
    const detected = mitigate.from_at;
    if (rec.below) {
      const b = rec.below;
      const level =
        percent(b.lowest) === percent(b.highest) ? `at ${percent(b.lowest)}` : `between ${percent(b.lowest)} and ${percent(b.highest)}`;
      const where = rec.target ? `traffic moved to ${rec.target}` : 'impact was marked mitigated';
      wrong.push(
        b.recovered
          ? `${cap(where)} but the success rate stayed ${level} for ${formatDuration(b.ms)} (below ${threshold} until ${clockTime(rec.recovered_at!)}).`
          : `${cap(where)} but the success rate stayed ${level} (below ${threshold}) in every reading after it, for at least ${formatDuration(b.ms)}.`,
      );
    }
    if (rec.recovered_at) {
      well.push(
        `The success rate was back at ${percent(rec.recovered_value)} (at or above ${threshold}) ${formatDuration(Math.max(0, between(detected, rec.recovered_at) ?? 0))} after detection, at ${clockTime(rec.recovered_at)}.`,
      );
    } else if (!rec.readings_after) {
      well.push(
        `Customer impact was marked mitigated ${formatDuration(mitigate.ms)} after detection (no success-rate reading after it confirms it).`,
      );
    }
  }

  for (const p of providers) {
    for (const e of p.escalations) {
      const followed = e.follow_ups ? `, followed up ${e.follow_ups} time${e.follow_ups === 1 ? '' : 's'}` : '';
      if (e.response_ms !== null) well.push(`${p.provider} responded to our escalation after ${formatDuration(e.response_ms)}.`);
      else
        wrong.push(
          `${p.provider} did not respond to our escalation of ${formatTime(e.at)}${followed} (no note or acknowledgement recorded).`,
        );
    }
    if (p.admission_delay_ms !== null && p.admission_delay_ms > 0) {
      actions.push(
        `Raise with ${p.provider}: its status page admitted the problem ${formatDuration(p.admission_delay_ms)} after we detected it.`,
      );
    }
  }

  for (const r of facts.reopens)
    wrong.push(`The incident was reopened at ${formatTime(r.at)} after being resolved${r.message ? ` (${r.message})` : ''}.`);
  // a later run_started or run_finished supersedes a stop: only the final state of the run counts
  for (const s of facts.runStops) {
    if (!s.superseded_at) wrong.push(`The run stopped before the end: ${s.reason}.`);
    else notes.push(`The run was stopped at ${formatTime(s.at)} (${s.reason}) and resumed at ${formatTime(s.superseded_at)}.`);
  }
  if (!facts.failedAttempts.length && state.step_order.length) well.push('No step failed.');
  if (!facts.readings.length)
    actions.push('Add a query_metrics step (success rate) to the playbook, so the next postmortem can show the impact.');

  return { went_well: dedupe(well), went_wrong: dedupe(wrong), action_items: dedupe(actions), notes: dedupe(notes) };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

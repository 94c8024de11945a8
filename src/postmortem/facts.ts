/**
 * One pass over the timeline collecting what the documents need: metric
 * readings, status checks, switches, notifications, escalations, approvals,
 * reminders, status changes. Everything else in postmortem/ reads these facts,
 * never the raw events again (a timeline may hold 100,000 events).
 */
import type { TimelineEvent } from '../timeline/events.js';
import { switchOfStep, wroteRouting, type ChannelResult } from '../timeline/results.js';

export interface Reading {
  at: string;
  value: number;
  provider?: string;
  step?: string;
}
export interface DeclineReading {
  at: string;
  breakdown: Record<string, number>;
  provider?: string;
}
export interface StatusCheck {
  at: string;
  step?: string;
  provider: string;
  status: string;
  indicator: string;
  /**
   * Unresolved incidents on the provider's page that belong to this incident
   * (see OLD_INCIDENT_LOOKBACK_MS): an older one counts only when it affects a
   * component this check read as not operational.
   */
  incidents: { name: string; status: string; created_at: string; components?: string[] }[];
  /** Watched components this check read as not operational ("Group/Name" when grouped). */
  affected: string[];
  /** Page incidents left out because they were created long before this incident and affect none of its failing components. */
  older_incidents: number;
}

/**
 * A status-page incident created more than this long before the payctl
 * incident opened (or before its detected milestone, when earlier) is not a
 * sign of this problem (a months-old "degraded webhooks" left open), unless
 * it affects a component we read as failing.
 */
export const OLD_INCIDENT_LOOKBACK_MS = 60 * 60_000;
export interface Switch {
  at: string;
  step?: string;
  outcome: string;
  from: string | null;
  to: string;
  before: string[];
  after: string[];
  verified: boolean;
  rolled_back: boolean;
  failback: boolean;
  /** Traffic already went to the target: nothing was written. */
  unchanged: boolean;
  /** A dry run: nothing was written. */
  dry_run: boolean;
  reason?: string;
}

/** A switch that actually moved traffic: succeeded, not rolled back, not a no-op, not a dry run. */
export function movedTraffic(s: Switch): boolean {
  return s.outcome === 'ok' && wroteRouting(s);
}
export interface ChannelOutcome {
  name: string;
  ok: boolean;
  status?: number;
  error?: string;
}
export interface Notification {
  at: string;
  step?: string;
  outcome: string;
  template: string;
  channels: ChannelOutcome[];
  reason?: string;
}
export interface Escalation {
  at: string;
  step?: string;
  outcome: string;
  provider: string;
  action: string;
  dedup_key?: string;
  dry_run: boolean;
  channels: ChannelOutcome[];
  reason?: string;
}
/** The result of a manual step: the checklist items ticked and not ticked, or a plain "done". */
export interface ManualResult {
  at: string;
  step: string;
  checked: string[];
  unchecked: string[];
  unattended: boolean;
  done: boolean;
  marked_done: boolean;
}
/**
 * How a step came to run more than once. Each step_started after the first is
 * one of: a retry (the previous attempt failed), a resume (the previous attempt
 * never completed: interrupted), or a re-run (the previous attempt succeeded,
 * e.g. a wait step's recheck polling it).
 */
export interface StepRuns {
  retries: number;
  resumes: number;
  reruns: number;
}
export interface Approval {
  step?: string;
  requested_at: string;
  question: string;
  answered_at?: string;
  waited_ms?: number;
  by?: string;
  denied: boolean;
}
export interface ReminderFired {
  at: string;
  step?: string;
  reminder: string;
  message: string;
}
export interface StatusChange {
  at: string;
  from: string | null;
  to: string;
  message?: string;
}
export interface FailedAttempt {
  at: string;
  step: string;
  attempt: number;
  reason?: string;
}
export interface Decision {
  at: string;
  step?: string;
  choice: string;
  about: string;
}

export interface Facts {
  readings: Reading[];
  declines: DeclineReading[];
  checks: StatusCheck[];
  switches: Switch[];
  notifications: Notification[];
  escalations: Escalation[];
  approvals: Approval[];
  reminders: ReminderFired[];
  statusChanges: StatusChange[];
  /** status_changed events leaving "resolved": the incident was reopened. */
  reopens: StatusChange[];
  failedAttempts: FailedAttempt[];
  decisions: Decision[];
  /** Each run_stopped; superseded_at: a later run_started or run_finished (the run was resumed). */
  runStops: { at: string; reason: string; superseded_at?: string }[];
  /** Steps started by a switch joined to the incident (payctl failover/failback with an incident to join). */
  joinedSteps: Set<string>;
  manuals: ManualResult[];
  stepRuns: Map<string, StepRuns>;
  milestones: { at: string; name: string; note?: string }[];
  notes: { at: string; actor: string; text: string }[];
  unknownTypes: { seq: number; type: string }[];
}

const KNOWN = new Set([
  'incident_opened',
  'input_answered',
  'step_started',
  'step_completed',
  'approval_requested',
  'approval_given',
  'approval_denied',
  'status_changed',
  'milestone',
  'note_added',
  'reminder_fired',
  'decision',
  'run_started',
  'run_stopped',
  'run_finished',
  'channel_sent',
  'traffic_stage',
  'incident_cancelled',
]);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strArray = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function channelsOf(v: unknown): ChannelOutcome[] {
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, ChannelResult>).map(([name, r]) => ({
    name,
    ok: Boolean(r?.ok),
    status: typeof r?.status === 'number' ? r.status : undefined,
    error: str(r?.error),
  }));
}

/** The facts of a whole timeline held in memory (tests, short timelines). */
export function collectFacts(events: readonly TimelineEvent[]): Facts {
  const c = new FactsCollector();
  for (const e of events) c.add(e);
  return c.finish();
}

/** The facts collected one event at a time, in timeline order, without keeping the events. */
export class FactsCollector {
  private readonly f: Facts = {
    readings: [],
    declines: [],
    checks: [],
    switches: [],
    notifications: [],
    escalations: [],
    approvals: [],
    reminders: [],
    statusChanges: [],
    reopens: [],
    failedAttempts: [],
    decisions: [],
    runStops: [],
    joinedSteps: new Set(),
    manuals: [],
    stepRuns: new Map(),
    milestones: [],
    notes: [],
    unknownTypes: [],
  };
  // per step: how its last attempt ended (started = not completed yet)
  private readonly lastAttempt = new Map<string, 'started' | 'ok' | 'failed' | 'skipped'>();
  private readonly openApproval = new Map<string, Approval>();
  /** The first event's time, or an earlier detected milestone: where older status-page incidents stop counting. */
  private windowStart: number | undefined;
  /** A joined switch's run is going on: the steps it starts are the command's, not the playbook's. */
  private inJoinedRun = false;
  /**
   * Per provider, the lists its last check read. A status page's open
   * incidents and failing components rarely change between readings: a check
   * that reads the same keeps the same lists (never changed in place), so a long
   * timeline's checks hold little beyond their time.
   */
  private readonly lastRead = new Map<string, Pick<StatusCheck, 'incidents' | 'affected'>>();

  add(e: TimelineEvent): void {
    const f = this.f;
    const { lastAttempt, openApproval } = this;
    if (this.windowStart === undefined) this.windowStart = Date.parse(e.time);
    if (e.type === 'milestone' && e.data.name === 'detected') {
      const t = Date.parse(e.data.at ?? e.time);
      if (t < this.windowStart) this.windowStart = t;
    }
    if (!KNOWN.has(e.type)) {
      f.unknownTypes.push({ seq: e.seq, type: String(e.type) });
      return;
    }
    switch (e.type) {
      case 'step_started': {
        const id = e.step ?? '?';
        if (this.inJoinedRun) f.joinedSteps.add(id);
        const last = lastAttempt.get(id);
        if (last !== undefined && last !== 'skipped') {
          let runs = f.stepRuns.get(id);
          if (!runs) f.stepRuns.set(id, (runs = { retries: 0, resumes: 0, reruns: 0 }));
          if (last === 'failed') runs.retries++;
          else if (last === 'started') runs.resumes++;
          else runs.reruns++;
        }
        lastAttempt.set(id, 'started');
        break;
      }
      case 'step_completed': {
        const d = e.data;
        lastAttempt.set(e.step ?? '?', d.outcome);
        const r = (d.result ?? {}) as Record<string, unknown>;
        if (d.outcome === 'failed') f.failedAttempts.push({ at: e.time, step: e.step ?? '?', attempt: d.attempt, reason: d.reason });
        if (d.outcome === 'skipped' && !d.result) break;
        switch (d.step_type) {
          case 'query_metrics':
            if (r.metric === 'decline_codes' && r.breakdown && typeof r.breakdown === 'object') {
              f.declines.push({ at: str(r.at) ?? e.time, breakdown: r.breakdown as Record<string, number>, provider: str(r.provider) });
            } else if (typeof r.value === 'number' && Number.isFinite(r.value)) {
              f.readings.push({ at: str(r.at) ?? e.time, value: r.value, provider: str(r.provider), step: e.step });
            }
            break;
          case 'check_status':
            if (typeof r.provider === 'string') {
              const incidents = Array.isArray(r.incidents)
                ? (r.incidents as StatusCheck['incidents']).filter((i) => i && typeof i.created_at === 'string')
                : [];
              const components = Array.isArray(r.components)
                ? (r.components as { name?: unknown; status?: unknown; group?: unknown }[])
                : [];
              const affected = components
                .filter((c) => c && typeof c.name === 'string' && c.status !== 'operational')
                .flatMap((c) => (typeof c.group === 'string' ? [c.name as string, `${c.group}/${c.name as string}`] : [c.name as string]));
              const last = this.lastRead.get(r.provider);
              const read = {
                incidents: last && sameIncidents(last.incidents, incidents) ? last.incidents : incidents,
                affected: last && sameStrings(last.affected, affected) ? last.affected : affected,
              };
              this.lastRead.set(r.provider, read);
              f.checks.push({
                at: e.time,
                step: e.step,
                provider: r.provider,
                status: str(r.status) ?? 'unknown',
                indicator: str(r.indicator) ?? '',
                ...read,
                older_incidents: 0,
              });
            }
            break;
          case 'switch_provider':
          case 'shift_traffic': {
            // a canary counts once it finished; a halted one failed (its stages are in the shares section)
            const s = d.step_type === 'switch_provider' || d.outcome === 'ok' ? switchOfStep(d.step_type, r) : undefined;
            if (s && typeof s.to === 'string') {
              f.switches.push({
                at: e.time,
                step: e.step,
                outcome: d.outcome,
                from: str(s.from) ?? null,
                to: s.to,
                before: strArray(s.before),
                after: strArray(s.after),
                verified: s.verified === true,
                rolled_back: s.rolled_back === true,
                failback: s.failback === true,
                unchanged: s.unchanged === true,
                dry_run: s.dry_run === true,
                reason: d.reason,
              });
            }
            break;
          }
          case 'notify':
            f.notifications.push({
              at: e.time,
              step: e.step,
              outcome: d.outcome,
              template: str(r.template) ?? '?',
              channels: channelsOf(r.channels),
              reason: d.reason,
            });
            break;
          case 'escalate':
            f.escalations.push({
              at: e.time,
              step: e.step,
              outcome: d.outcome,
              provider: str(r.provider) ?? '?',
              action: str(r.action) ?? 'trigger',
              dedup_key: str(r.dedup_key),
              dry_run: r.dry_run === true,
              channels: channelsOf(r.channels),
              reason: d.reason,
            });
            break;
          case 'manual':
            if (d.outcome === 'ok') {
              f.manuals.push({
                at: e.time,
                step: e.step ?? '?',
                checked: strArray(r.checked),
                unchecked: strArray(r.unchecked),
                unattended: r.unattended === true,
                done: r.done === true,
                marked_done: r.marked_done === true,
              });
            }
            break;
          default:
            break;
        }
        break;
      }
      case 'approval_requested': {
        const a: Approval = { step: e.step, requested_at: e.time, question: e.data.question, denied: false };
        f.approvals.push(a);
        openApproval.set(e.step ?? '', a);
        break;
      }
      case 'approval_given':
      case 'approval_denied': {
        const a = openApproval.get(e.step ?? '');
        if (a) {
          a.answered_at = e.time;
          a.by = e.data.by;
          a.denied = e.type === 'approval_denied';
          a.waited_ms = e.type === 'approval_given' ? e.data.waited_ms : Date.parse(e.time) - Date.parse(a.requested_at);
          openApproval.delete(e.step ?? '');
        }
        break;
      }
      case 'reminder_fired':
        f.reminders.push({ at: e.time, step: e.step, reminder: e.data.reminder, message: e.data.message });
        break;
      case 'status_changed': {
        const c = { at: e.time, from: e.data.from, to: e.data.to, message: e.data.message };
        f.statusChanges.push(c);
        if (c.from === 'resolved' && c.to !== 'resolved') f.reopens.push(c);
        break;
      }
      case 'decision':
        f.decisions.push({ at: e.time, step: e.step, choice: e.data.choice, about: e.data.about });
        break;
      case 'milestone':
        f.milestones.push({ at: e.data.at ?? e.time, name: e.data.name, note: e.data.note });
        break;
      case 'note_added':
        f.notes.push({ at: e.time, actor: e.actor, text: e.data.text });
        break;
      case 'run_stopped':
        this.inJoinedRun = false;
        f.runStops.push({ at: e.time, reason: e.data.reason });
        break;
      case 'run_started':
      case 'run_finished': {
        this.inJoinedRun = e.type === 'run_started' && e.data.joined === true;
        // a switch joined to the incident (payctl failback) does not resume the run that stopped
        if (e.data.joined) break;
        const lastStop = f.runStops[f.runStops.length - 1];
        if (lastStop && !lastStop.superseded_at) lastStop.superseded_at = e.time;
        break;
      }
      default:
        break;
    }
  }

  /** The facts of the events added (once: the collector is done). */
  finish(): Facts {
    leaveOutOldIncidents(this.f.checks, (this.windowStart ?? NaN) - OLD_INCIDENT_LOOKBACK_MS);
    return this.f;
  }
}

const sameStrings = (a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

function sameIncidents(a: StatusCheck['incidents'], b: StatusCheck['incidents']): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i]!;
      return x.name === y.name && x.status === y.status && x.created_at === y.created_at && sameStrings(x.components, y.components);
    })
  );
}

/** Keep the page incidents created in the incident's window, or older ones that affect a component the check read as failing. */
function leaveOutOldIncidents(checks: StatusCheck[], since: number): void {
  if (!Number.isFinite(since)) return;
  // checks share equal lists (FactsCollector.lastRead): each pair is worked out once
  const done = new Map<StatusCheck['incidents'], Map<string[], StatusCheck['incidents']>>();
  for (const c of checks) {
    let byAffected = done.get(c.incidents);
    if (!byAffected) done.set(c.incidents, (byAffected = new Map()));
    let kept = byAffected.get(c.affected);
    if (!kept) {
      const failing = new Set(c.affected.map((n) => n.trim().toLowerCase()));
      kept = c.incidents.filter((i) => {
        const created = Date.parse(i.created_at);
        if (Number.isFinite(created) && created >= since) return true;
        return (i.components ?? []).some((n) => failing.has(String(n).trim().toLowerCase()));
      });
      byAffected.set(c.affected, kept);
    }
    c.older_incidents = c.incidents.length - kept.length;
    c.incidents = kept;
  }
}

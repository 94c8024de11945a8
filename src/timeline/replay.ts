/**
 * Incident state, derived by replaying the timeline. There is no other file:
 * status, current step, answers, step results and milestones all come from here.
 */
import type { IncidentStatus, Severity, StepType } from '../playbook/schema.js';
import type { EventDataMap, Milestone, Outcome, TimelineEvent } from './events.js';
import type { TimelineProblem } from './read.js';

export interface StepState {
  id: string;
  type: StepType;
  title: string;
  /** started: a step_started without a completion (interrupted, or running now). */
  status: 'started' | Outcome;
  attempts: number;
  idempotency_key: string;
  /** The first step_started of the step. */
  started_at: string;
  /** The latest step_started. */
  attempt_started_at: string;
  /**
   * Set while the step continues an attempt that a run left without a result
   * (killed, Ctrl-C): when that attempt started. A resumed wait keeps its
   * deadline from then instead of starting over.
   */
  resumed_from?: string;
  ended_at?: string;
  reason?: string;
  result?: Record<string, unknown>;
  /** notify: the channels that took the message in any attempt (channel_sent), not posted to again. */
  sent?: string[];
  /** shift_traffic: its stages as recorded (traffic_stage), oldest first. */
  stages?: EventDataMap['traffic_stage'][];
}

/** A second-person gate (`confirm: { second_person: true }`) as recorded: its latest request and the answer to it. */
export interface SecondPersonApproval {
  step: string;
  question: string;
  requested_at: string;
  /** Who runs the step (the request's actor): anyone else may approve it. */
  requested_by: string;
  /** waiting: asked and not answered (a run waits at it, or the next resume will). */
  status: 'waiting' | 'approved' | 'denied';
  /** Who answered (payctl incident approve/deny), when, and why it was denied. */
  by?: string;
  at?: string;
  reason?: string;
}

export interface IncidentState {
  id: string;
  title: string;
  severity: Severity;
  playbook?: string;
  playbook_file?: string;
  dry_run: boolean;
  source: string;
  /** A playbook status, or cancelled (incident_cancelled: closed as not an incident). */
  status: IncidentStatus | 'cancelled';
  /** Why and when it was cancelled, and by whom. */
  cancelled?: { at: string; by: string; reason: string };
  opened_at: string;
  /** Time of the last event. */
  updated_at: string;
  answers: Record<string, unknown>;
  steps: Record<string, StepState>;
  /** Step ids in the order they were first started. */
  step_order: string[];
  milestones: Partial<Record<Milestone, string>>;
  notes: { time: string; actor: string; text: string }[];
  /** Role → the person who holds it now (role_assigned). */
  roles: Record<string, string>;
  /** Step → its second-person gate: the latest request, and whether (and by whom) it was answered. */
  approvals: Record<string, SecondPersonApproval>;
  /** How the last run ended: running (no end event: still running or killed), finished, stopped. */
  run: 'running' | 'finished' | 'stopped' | 'none';
  run_stop_reason?: string;
  /** The exit code the last run stopped with. */
  run_stop_exit_code?: number;
  /** The step the last run stopped at, when it stopped at one. */
  run_stopped_at_step?: string;
  actors: string[];
  /** Reminder id → time it last fired. */
  reminders: Record<string, string>;
  event_count: number;
  /** Unknown event types (from a newer payctl) and unreadable lines. */
  warnings: string[];
}

export function replay(events: TimelineEvent[], problems: TimelineProblem[] = []): IncidentState | undefined {
  const first = events[0];
  if (first?.type !== 'incident_opened') return undefined;
  const r = new Replayer(first, problems);
  for (let i = 1; i < events.length; i++) r.apply(events[i]!);
  return r.state();
}

/**
 * Incremental replay: feed events one at a time (a 100,000-event timeline is
 * replayed without holding every event in memory; the engine keeps one live).
 */
export class Replayer {
  private readonly s: IncidentState;
  private readonly actors = new Set<string>();

  constructor(first: Extract<TimelineEvent, { type: 'incident_opened' }>, problems: TimelineProblem[] = []) {
    const o = first.data;
    this.s = {
      id: o.id,
      title: o.title,
      severity: o.severity,
      playbook: o.playbook,
      playbook_file: o.playbook_file,
      dry_run: o.dry_run,
      source: o.source,
      status: 'investigating',
      opened_at: first.time,
      updated_at: first.time,
      answers: {},
      steps: {},
      step_order: [],
      milestones: {},
      notes: [],
      roles: {},
      approvals: {},
      run: 'none',
      actors: [],
      reminders: {},
      event_count: 0,
      warnings: problems.map((p) => `line ${p.line}: ${p.message}`),
    };
    this.apply(first);
  }

  /** Continue from a replayed state (e.g. replayFile's), applying later events. */
  static fromState(state: IncidentState): Replayer {
    const r = Object.create(Replayer.prototype) as Replayer;
    // a state kept by an older payctl (a database row) lacks the fields added since
    state.roles ??= {};
    state.approvals ??= {};
    (r as unknown as { s: IncidentState }).s = state;
    (r as unknown as { actors: Set<string> }).actors = new Set(state.actors);
    return r;
  }

  /** Problems found after construction (e.g. while streaming a file). */
  warn(text: string): void {
    this.s.warnings.push(text);
  }

  apply(e: TimelineEvent): void {
    const s = this.s;
    s.event_count++;
    this.actors.add(e.actor);
    s.updated_at = e.time;
    switch (e.type) {
      case 'incident_opened':
        break;
      case 'input_answered':
        s.answers[e.data.name] = e.data.value;
        break;
      case 'step_started': {
        const id = e.step ?? '?';
        const prev = s.steps[id];
        if (!prev) s.step_order.push(id);
        s.steps[id] = {
          id,
          type: e.data.step_type,
          title: e.data.title,
          status: 'started',
          attempts: e.data.attempt,
          idempotency_key: e.data.idempotency_key,
          started_at: prev?.started_at ?? e.time,
          attempt_started_at: e.time,
          ...(prev?.status === 'started' ? { resumed_from: prev.resumed_from ?? prev.attempt_started_at } : {}),
          ...(prev?.sent ? { sent: prev.sent } : {}),
          ...(prev?.stages ? { stages: prev.stages } : {}),
        };
        break;
      }
      case 'step_completed': {
        const id = e.step ?? '?';
        const st = s.steps[id];
        if (!st) {
          // a skipped step never starts
          s.step_order.push(id);
          s.steps[id] = {
            id,
            type: e.data.step_type,
            title: id,
            status: e.data.outcome,
            attempts: e.data.attempt,
            idempotency_key: '',
            started_at: e.time,
            attempt_started_at: e.time,
            ended_at: e.time,
            reason: e.data.reason,
            result: e.data.result,
          };
        } else {
          st.status = e.data.outcome;
          delete st.resumed_from;
          st.ended_at = e.time;
          st.reason = e.data.reason;
          st.result = e.data.result;
          st.attempts = e.data.attempt;
        }
        break;
      }
      case 'status_changed':
        s.status = e.data.to;
        if (e.data.to !== 'resolved') delete s.milestones.resolved;
        break;
      case 'milestone':
        // the first of each milestone counts, except resolved/failed_back which may be reached again after a reopen
        if (!s.milestones[e.data.name] || e.data.name === 'resolved' || e.data.name === 'failed_back') {
          s.milestones[e.data.name] = e.data.at ?? e.time;
        }
        break;
      case 'note_added':
        s.notes.push({ time: e.time, actor: e.actor, text: e.data.text });
        break;
      case 'channel_sent': {
        const st = e.step ? s.steps[e.step] : undefined;
        if (st && !st.sent?.includes(e.data.channel)) st.sent = [...(st.sent ?? []), e.data.channel];
        break;
      }
      case 'traffic_stage': {
        const st = e.step ? s.steps[e.step] : undefined;
        if (st) st.stages = [...(st.stages ?? []), e.data];
        break;
      }
      case 'run_started':
        s.run = 'running';
        s.run_stop_reason = undefined;
        s.run_stop_exit_code = undefined;
        break;
      case 'run_stopped':
        s.run = 'stopped';
        s.run_stop_reason = e.data.reason;
        s.run_stop_exit_code = e.data.exit_code;
        s.run_stopped_at_step = e.step;
        break;
      case 'run_finished':
        s.run = 'finished';
        break;
      case 'incident_cancelled':
        s.status = 'cancelled';
        s.cancelled = { at: e.time, by: e.actor, reason: e.data.reason };
        break;
      case 'reminder_fired':
        s.reminders[e.data.reminder] = e.time;
        break;
      case 'role_assigned':
        s.roles[e.data.role] = e.data.person;
        break;
      case 'approval_requested':
        if (e.data.second_person && e.step)
          s.approvals[e.step] = { step: e.step, question: e.data.question, requested_at: e.time, requested_by: e.actor, status: 'waiting' };
        break;
      case 'approval_given':
      case 'approval_denied': {
        const gate = e.step ? s.approvals[e.step] : undefined;
        if (gate && e.data.by === 'second_person') {
          gate.status = e.type === 'approval_given' ? 'approved' : 'denied';
          gate.by = e.actor;
          gate.at = e.time;
          if (e.type === 'approval_denied' && e.data.reason) gate.reason = e.data.reason;
        }
        break;
      }
      case 'decision':
      case 'store_reconciled':
        break;
      default: {
        const unknown = e as { type: string; seq: number };
        s.warnings.push(`event ${unknown.seq}: unknown type "${unknown.type}" (written by a newer payctl?); ignored`);
      }
    }
  }

  /** The state so far (a live object: copy it if you keep it across apply()). */
  state(): IncidentState {
    this.s.actors = [...this.actors];
    return this.s;
  }
}

/** Not resolved and not cancelled: someone may still have work to do in it. */
export function isOpen(state: Pick<IncidentState, 'status'>): boolean {
  return state.status !== 'resolved' && state.status !== 'cancelled';
}

/** The first step (in playbook order) without a completion event: where a resume continues. */
export function firstIncompleteStep(state: IncidentState, stepIds: string[]): string | undefined {
  return stepIds.find((id) => {
    const st = state.steps[id];
    return !st || st.status === 'started';
  });
}

/** Second-person gates asked and not answered: a run waits at each, or the next resume will. */
export function waitingApprovals(state: Pick<IncidentState, 'approvals'>): SecondPersonApproval[] {
  return Object.values(state.approvals ?? {}).filter((a) => a.status === 'waiting');
}

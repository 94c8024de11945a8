/**
 * Incident state, derived by replaying the timeline. There is no other file:
 * status, current step, answers, step results and milestones all come from here.
 */
import type { IncidentStatus, Severity, StepType } from '../playbook/schema.js';
import type { Milestone, Outcome, TimelineEvent } from './events.js';
import type { TimelineProblem } from './read.js';

export interface StepState {
  id: string;
  type: StepType;
  title: string;
  /** started: a step_started without a completion (interrupted, or running now). */
  status: 'started' | Outcome;
  attempts: number;
  idempotency_key: string;
  started_at: string;
  ended_at?: string;
  reason?: string;
  result?: Record<string, unknown>;
}

export interface IncidentState {
  id: string;
  title: string;
  severity: Severity;
  playbook?: string;
  playbook_file?: string;
  dry_run: boolean;
  source: string;
  status: IncidentStatus;
  opened_at: string;
  /** Time of the last event. */
  updated_at: string;
  answers: Record<string, unknown>;
  steps: Record<string, StepState>;
  /** Step ids in the order they were first started. */
  step_order: string[];
  milestones: Partial<Record<Milestone, string>>;
  notes: { time: string; actor: string; text: string }[];
  /** How the last run ended: running (no end event: still running or killed), finished, stopped. */
  run: 'running' | 'finished' | 'stopped' | 'none';
  run_stop_reason?: string;
  actors: string[];
  event_count: number;
  /** Unknown event types (from a newer payctl) and unreadable lines. */
  warnings: string[];
}

export function replay(events: TimelineEvent[], problems: TimelineProblem[] = []): IncidentState | undefined {
  const first = events[0];
  if (!first || first.type !== 'incident_opened') return undefined;
  const o = first.data;
  const s: IncidentState = {
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
    run: 'none',
    actors: [],
    event_count: events.length,
    warnings: problems.map((p) => `line ${p.line}: ${p.message}`),
  };
  const actors = new Set<string>();
  for (const e of events) {
    actors.add(e.actor);
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
            ended_at: e.time,
            reason: e.data.reason,
            result: e.data.result,
          };
        } else {
          st.status = e.data.outcome;
          st.ended_at = e.time;
          st.reason = e.data.reason;
          st.result = e.data.result;
          st.attempts = e.data.attempt;
        }
        break;
      }
      case 'status_changed':
        s.status = e.data.to;
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
      case 'run_started':
        s.run = 'running';
        s.run_stop_reason = undefined;
        break;
      case 'run_stopped':
        s.run = 'stopped';
        s.run_stop_reason = e.data.reason;
        break;
      case 'run_finished':
        s.run = 'finished';
        break;
      case 'approval_requested':
      case 'approval_given':
      case 'approval_denied':
      case 'reminder_fired':
      case 'decision':
        break;
      default: {
        const unknown = e as { type: string; seq: number };
        s.warnings.push(`event ${unknown.seq}: unknown type "${unknown.type}" (written by a newer payctl?); ignored`);
      }
    }
  }
  if (s.status !== 'resolved' && s.milestones.resolved) {
    // reopened after a resolution: the resolved milestone no longer holds
    delete s.milestones.resolved;
  }
  s.actors = [...actors];
  return s;
}

/** The first step (in playbook order) without a completion event: where a resume continues. */
export function firstIncompleteStep(state: IncidentState, stepIds: string[]): string | undefined {
  return stepIds.find((id) => {
    const st = state.steps[id];
    return !st || st.status === 'started';
  });
}

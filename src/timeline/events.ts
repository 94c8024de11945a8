/**
 * Timeline events: a union on `type`. The timeline (one JSON Lines file per
 * incident) is the only source of truth; everything else is replayed from it.
 *
 * Each line is { seq, time, actor, type, step?, data, prev } where prev is the
 * sha256 of the previous line's text (GENESIS for the first): a tamper-evident chain.
 */
import type { IncidentStatus, Severity, StepType } from '../playbook/schema.js';

export const GENESIS = '0'.repeat(64);

export type Outcome = 'ok' | 'failed' | 'skipped';
export type Milestone = 'detected' | 'acknowledged' | 'mitigated' | 'resolved' | 'failed_back';
export const MILESTONES: readonly Milestone[] = ['detected', 'acknowledged', 'mitigated', 'resolved', 'failed_back'];

export interface EventDataMap {
  /** First event of every incident. */
  incident_opened: {
    id: string;
    title: string;
    severity: Severity;
    playbook?: string;
    playbook_file?: string;
    playbook_sha256?: string;
    dry_run: boolean;
    /** How it was opened: `incident start`, `failover`, `drill`, `demo`, `check --start-incident`. */
    source: string;
  };
  /** A playbook input's value (or a `--var`). */
  input_answered: { name: string; value: unknown; from: 'prompt' | 'var' | 'answers' | 'trigger' | 'default' | 'set' };
  /** Written (and fsync'd) before the step's action is taken. */
  step_started: {
    step_type: StepType;
    title: string;
    attempt: number;
    idempotency_key: string;
    params?: unknown;
    dry_run?: boolean;
    /** The role the step is for (`owner:`), and who held it as it started. */
    owner?: { role: string; person?: string };
  };
  /** Written right after the step's action. */
  step_completed: {
    step_type: StepType;
    outcome: Outcome;
    /** For skipped: "when was false", "skipped by responder", "marked done by responder". For failed: the error. */
    reason?: string;
    result?: Record<string, unknown>;
    /** ok, but partly: e.g. "failed: statuspage (timed out)" when another channel took the message. */
    warning?: string;
    attempt: number;
    duration_ms: number;
  };
  /** `second_person`: only someone other than the runner (this event's actor) may approve it (payctl incident approve). */
  approval_requested: { question: string; second_person?: boolean };
  /**
   * person: the runner at the prompt; flag: --yes; second_person: someone else
   * (this event's actor) with payctl incident approve, for a second-person gate.
   */
  approval_given: { by: 'person' | 'flag' | 'second_person'; waited_ms: number };
  /** second_person: payctl incident deny (this event's actor), with why. */
  approval_denied: { by: 'person' | 'second_person'; reason?: string };
  status_changed: { from: IncidentStatus | null; to: IncidentStatus; message?: string };
  milestone: { name: Milestone; at?: string; note?: string };
  note_added: { text: string };
  /**
   * A notify step's channel took the message, written as each channel answers:
   * a retry of the step (after a kill, or by its retry policy) does not post to
   * it again, which matters for channels that take no idempotency key (Slack,
   * Statuspage).
   */
  channel_sent: { channel: string; attempt: number };
  /**
   * A shift_traffic (canary) stage, written as it happens: `switched` after
   * the stage's verified switch, `held` when its hold read a good success rate,
   * `halted` when it did not (with the split it rolled back to). A resumed step
   * goes on from the last one recorded under its idempotency key.
   */
  traffic_stage: {
    key: string;
    stage: number;
    share: number;
    to: string;
    result: 'switched' | 'held' | 'halted';
    split?: { provider: string; percent: number }[];
    /** The split before the first stage (the one a halt at the first stage goes back to). */
    start?: { provider: string; percent: number }[];
    success_rate?: number | null;
    attempts?: number | null;
    reason?: string;
    rolled_back_to?: { provider: string; percent: number }[];
  };
  /** `owner`: the role the reminder is for (`owner:` in the playbook) and who held it then. */
  reminder_fired: { reminder: string; message: string; owner?: { role: string; person?: string } };
  /**
   * A person took a role (commander, comms, processor, scribe, or a playbook's
   * own): `previous` held it before. A handoff is the commander role passed on
   * with a note.
   */
  role_assigned: { role: string; person: string; previous?: string; note?: string; handoff?: boolean };
  /** A person or a flag chose what to do about a failed or interrupted step. */
  decision: { choice: 'retry' | 'skip' | 'abort' | 'mark_done' | 'continue'; about: string };
  /**
   * joined: the run of one switch (payctl failover or failback) joined to an
   * incident; it does not walk the incident's playbook, whose own run keeps its
   * stop (timeline/replay.ts).
   */
  run_started: { pid: number; resume: boolean; dry_run: boolean; joined?: boolean };
  /** The run stopped before the end: aborted by on_failure/person, Ctrl-C, missing approval. */
  run_stopped: { reason: string; exit_code: number };
  run_finished: { outcome: Outcome; joined?: boolean };
  /**
   * The incident was closed as not an incident (opened by mistake, or a dry run
   * that ended): left out of the scorecard and the postmortem's metrics.
   */
  incident_cancelled: { reason: string };
  /**
   * Events kept in a machine's local spool while the shared store could not be
   * reached were pushed into it (re-chained after what was there): how many,
   * how many were already there (written before the connection dropped), and
   * how many others appended meanwhile (kept, before the pushed ones).
   */
  store_reconciled: { pushed: number; already_stored: number; appended_meanwhile: number; spooled_since: string; host: string };
}

export type EventType = keyof EventDataMap;

export interface TimelineEventBase<T extends EventType = EventType> {
  seq: number;
  time: string;
  actor: string;
  type: T;
  step?: string;
  data: EventDataMap[T];
  prev: string;
}

export type TimelineEvent = { [T in EventType]: TimelineEventBase<T> }[EventType];

/** What a caller supplies; seq, time, actor and prev are filled in by the writer. */
export type NewEvent = { [T in EventType]: { type: T; step?: string; data: EventDataMap[T]; time?: string } }[EventType];

export function isEvent<T extends EventType>(e: TimelineEvent, type: T): e is Extract<TimelineEvent, { type: T }> {
  return e.type === type;
}

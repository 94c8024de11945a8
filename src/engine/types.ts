/**
 * The contract between the engine and the step handlers. A handler gets one
 * StepRun (the step with its templates already rendered) and returns a
 * StepResult as data; the engine decides what happens next (retry, on_failure,
 * reminders) and writes the timeline.
 */
import type { Context } from '../context.js';
import type { Step, StepOf, StepType } from '../playbook/schema.js';
import type { Scope } from '../template/engine.js';
import type { IncidentState } from '../timeline/replay.js';
import type { NewEvent, TimelineEvent } from '../timeline/events.js';
import type { Prompter } from '../ui/prompter.js';

/** The open incident as handlers see it. */
export interface IncidentHandle {
  id: string;
  /** Where an event of the incident is, for messages (a file and line, or the database and seq). */
  where(line?: number): string;
  /** Current state, replayed from the timeline. */
  state(): IncidentState;
  /**
   * Read the incident again from its timeline, with what other processes
   * appended meanwhile (a status set from another shell, notes), and return
   * that state. Before a run records a status change, so its `from` is true.
   */
  refresh(): Promise<IncidentState>;
  /** Append an event (redacted, fsync'd) and update the state. */
  append(ev: NewEvent): Promise<TimelineEvent>;
  /**
   * Append several events in one lock, write and fsync, then update the state.
   * Only for events with nothing between them: no action, prompt or output.
   */
  appendAll(evs: readonly NewEvent[]): Promise<TimelineEvent[]>;
}

export interface StepRun<S extends Step = Step> {
  /** The step with `{{ }}` values rendered (when/until are left as written). */
  step: S;
  ctx: Context;
  incident: IncidentHandle;
  /** Template scope: inputs, config, steps, incident. */
  scope: Scope;
  /** Stable per incident and step, the same on every retry and after a resume. */
  idempotencyKey: string;
  attempt: number;
  /** This attempt continues one that an earlier run left without a result (killed, Ctrl-C): when that one started. */
  resumedFrom?: Date;
  dryRun: boolean;
  /** Aborted when the step's timeout passes. */
  signal: AbortSignal;
  /**
   * A handler that bounds itself (shift_traffic) gets the step's timeout here
   * instead of the engine cutting it off: it stops and rolls back by then.
   */
  timeoutMs?: number;
  prompter: Prompter;
  /** A progress line for the person (stdout, or stderr in --json mode). */
  log(text: string): void;
  /**
   * Run another (earlier) step of the playbook again, recording fresh
   * step_started/step_completed events (attempt + 1): the wait step's `recheck`.
   */
  rerunStep?(stepId: string): Promise<StepResult>;
  /** The template scope as of now (after rechecks), for conditions evaluated repeatedly. */
  currentScope?(): Scope;
  /**
   * The step's `confirm:` gate, when the handler asks it itself as its one
   * question (manual: after showing its instructions). approval_requested is
   * already recorded; `answer` records approval_given or approval_denied. A
   * handler given a gate that is not approved returns skipped.
   */
  gate?: ApprovalGate;
}

export interface ApprovalGate {
  question: string;
  answer(approved: boolean): Promise<void>;
}

/** Step types whose handler asks the `confirm:` question itself, when a person is there to ask. */
export const GATE_IN_HANDLER: ReadonlySet<StepType> = new Set<StepType>(['manual']);

export type StepResult =
  /**
   * ok. `warning`: the step did its job but something in it went wrong (e.g. one
   * of several channels failed); the engine prints it with ⚠ instead of ✔ and
   * records it, and the outcome stays ok.
   */
  | { outcome: 'ok'; result?: Record<string, unknown>; message?: string; warning?: string }
  | { outcome: 'failed'; error: string; retryable?: boolean; result?: Record<string, unknown> }
  | { outcome: 'skipped'; reason: string; result?: Record<string, unknown> };

export type StepHandler<S extends Step = Step> = (run: StepRun<S>) => Promise<StepResult>;

/** One handler per step type: a type without a handler does not compile. */
export type StepRegistry = { [K in StepType]: StepHandler<StepOf<K>> };

/** Types whose action changes something outside payctl: not blindly repeated on resume. */
export const SIDE_EFFECT_TYPES: ReadonlySet<StepType> = new Set<StepType>([
  'switch_provider',
  'shift_traffic',
  'notify',
  'escalate',
  'http',
  'shell',
]);

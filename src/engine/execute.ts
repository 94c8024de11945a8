/**
 * Running one step: `when`, the approval gate (approval-gate.ts), rendering, step_started (on
 * disk before the action), the handler under a timeout, step_completed right
 * after, retries with backoff, and the on_failure policy. Milestones that
 * follow from a step's result are recorded here too.
 *
 * Events with nothing between them (no action, prompt, output or wait) are
 * written in one append (session.appendAll: one lock, one fsync): an approval
 * by --yes (and the acknowledged milestone) with the step's step_started; a
 * person's approval with the milestone; a step's result with the milestones
 * that follow from it and, for the last step, run_finished. step_started is
 * on disk before the action and never shares an append with anything after
 * it; nothing is printed about an event before it is on disk.
 */
import { AbortedError, InvalidInputError, OperationError, isPayctlError, messageOf } from '../errors.js';
import { formatDuration, formatElapsed, parseDuration, requireDuration } from '../duration.js';
import { shiftTrafficTimeoutMs } from '../steps/shift-traffic-budget.js';
import type { Context } from '../context.js';
import type { Config } from '../config/schema.js';
import type { Playbook, Step } from '../playbook/schema.js';
import { evalCondition, renderDeep } from '../template/engine.js';
import { milestoneEvent, recordMilestone } from '../timeline/status.js';
import type { NewEvent, Outcome } from '../timeline/events.js';
import type { Prompter } from '../ui/prompter.js';
import type { Spinner } from '../ui/spinner.js';
import { idempotencyKey } from './idempotency.js';
import { interruption } from '../interrupt.js';
import { reminderSpec, type Reminders } from './reminders.js';
import { buildScope } from './scope.js';
import type { IncidentSession } from './session.js';
import { approve, handlerGate } from './approval-gate.js';
import { needsSecondPerson } from './second-person.js';
import { missingSecretsOf } from './preflight.js';
import { GATE_IN_HANDLER, type ApprovalGate, type StepRegistry, type StepResult, type StepRun } from './types.js';
import { backoffDelay } from '../backoff.js';

export interface Engine {
  ctx: Context;
  config: Config;
  session: IncidentSession;
  playbook: Playbook;
  prompter: Prompter;
  registry: StepRegistry;
  spinner: Spinner;
  reminders: Reminders;
  /** Aborted by Ctrl-C or SIGTERM while a step runs (the reason says which: interrupt.ts). */
  signal: AbortSignal;
  /** A human progress line: stdout, or stderr in --json mode. */
  say(text: string): void;
  /** The step being walked (named by run_stopped). */
  current?: string;
  /**
   * A rehearsal's stand-in for the second person (a drill has nobody else):
   * it approves second-person gates as this actor, through the same path as
   * payctl incident approve.
   */
  standInApprover?: string;
  /** One switch of payctl failover/failback joined to an incident: its run_finished says so (timeline/replay.ts). */
  joined?: boolean;
}

/** Fields that are not rendered: identity, and conditions evaluated by the engine/handler. */
const NOT_RENDERED = new Set(['id', 'type', 'when', 'until', 'recheck']);
/** Types that talk to a person: no spinner, no engine timeout. */
const INTERACTIVE = new Set(['manual', 'input', 'choose']);
/** Types that stop themselves by their timeout (run.timeoutMs), so they can roll back first. */
const SELF_TIMED = new Set(['shift_traffic']);
/** Between a step's retries: 1 s, 2 s, 4 s, … up to 30 s. */
const STEP_BACKOFF = { baseMs: 1000, maxMs: 30_000 };

export function scopeOf(eng: Engine) {
  return buildScope(eng.session.state(), eng.config, eng.ctx.clock.now());
}

/**
 * Walk one step through its whole policy. Throws a PayctlError to stop the run.
 * `last`: no step runs after this one, so when the step ends right after its
 * result is recorded (ok or skipped), run_finished is written in the same
 * append; returns true when it was.
 */
export async function executeStep(eng: Engine, step: Step, last = false): Promise<boolean> {
  const { session } = eng;
  const c = eng.ctx.out.color;
  const finish = (outcome: Outcome): NewEvent[] => (last ? [runFinishedEvent(eng, { step: step.id, outcome })] : []);

  if (step.when) {
    let holds: boolean;
    try {
      holds = await evalCondition(step.when, scopeOf(eng), `step ${step.id}, when`);
    } catch (e) {
      await onFailure(eng, step, { outcome: 'failed', error: messageOf(e) }, 0, true);
      return false;
    }
    if (!holds) {
      await session.appendAll([
        {
          type: 'step_completed',
          step: step.id,
          data: { step_type: step.type, outcome: 'skipped', reason: `when was false: ${step.when}`, attempt: 0, duration_ms: 0 },
        },
        ...finish('skipped'),
      ]);
      eng.say(c.dim(`- ${step.title} (skipped: when ${step.when} was false)`));
      return last;
    }
  }

  // a manual step shows its instructions first and asks the confirm question as its one question
  const gateInHandler =
    Boolean(step.confirm) && !needsSecondPerson(step) && GATE_IN_HANDLER.has(step.type) && eng.prompter.canPrompt && !eng.ctx.dryRun;
  const approval = step.confirm && !gateInHandler ? await approve(eng, step, finish) : { approved: true, unwritten: [] };
  if (!approval.approved) return last;
  // an approval by flag is written with the first attempt's step_started (nothing happens between them)
  let approvalEvents = approval.unwritten;

  // (recorded with the approval, when there was one)
  if (!approvalEvents.length) await recordMilestone((ev) => session.append(ev), session.state(), 'acknowledged');

  const previous = session.state().steps[step.id];
  let attempt = (previous?.attempts ?? 0) + 1;
  const retries = step.retries ?? 0;
  let tries = 0;
  for (;;) {
    // a result that ends the step: its milestones (and run_finished) go in the same append
    const result = await runAttempt(eng, step, {
      attempt,
      gateInHandler,
      approvalEvents,
      resultEvents: (r) =>
        r.outcome === 'ok' ? [...okMilestones(eng, step, r), ...finish('ok')] : r.outcome === 'skipped' ? finish('skipped') : [],
    });
    approvalEvents = [];
    if (result.outcome !== 'failed') {
      if (result.outcome === 'ok') afterOk(eng, step);
      return last;
    }
    tries++;
    if (result.retryable && tries <= retries && !eng.signal.aborted) {
      const wait = backoffDelay(tries, STEP_BACKOFF);
      eng.say(c.yellow(`  retrying ${step.id} in ${formatDuration(wait)} (attempt ${attempt + 1} of ${retries + 1})`));
      await eng.ctx.clock.sleep(wait, eng.signal).catch(() => undefined);
      if (eng.signal.aborted) throw new AbortedError(interruption(eng.signal, `while waiting to retry step "${step.id}"`));
      attempt++;
      continue;
    }
    const again = await onFailure(eng, step, result, attempt, false);
    if (!again) return false;
    attempt++;
    tries = 0;
  }
}

export interface AttemptOptions {
  /** 1 for the first; the same idempotency key on every attempt. */
  attempt: number;
  /** The handler asks the step's `confirm:` question itself (approval-gate.ts handlerGate). */
  gateInHandler?: boolean;
  /** An approval by flag not yet on disk: written in the same append as step_started. */
  approvalEvents?: NewEvent[];
  /** Events that follow from the result (milestones, run_finished): written in the same append as step_completed, before anything is printed. */
  resultEvents?: (result: StepResult) => NewEvent[];
  /**
   * Print nothing about it (no spinner, no result line, no handler log): a wait's
   * recheck, polled every interval, is summed up by the wait in one line.
   */
  quiet?: boolean;
}

/** Render, record step_started, run the handler, record step_completed. */
export async function runAttempt(eng: Engine, step: Step, o: AttemptOptions): Promise<StepResult> {
  const { session, ctx } = eng;
  const { attempt, approvalEvents = [] } = o;
  const c = ctx.out.color;
  const say = o.quiet ? () => undefined : (text: string) => eng.say(text);
  const key = idempotencyKey(session.id, step.id);
  // a step that cannot be rendered, or reads a secret that is not set, fails before it starts: nothing was sent
  const failBeforeStart = async (error: string): Promise<StepResult> => {
    await session.appendAll([
      ...approvalEvents,
      { type: 'step_completed', step: step.id, data: { step_type: step.type, outcome: 'failed', reason: error, attempt, duration_ms: 0 } },
    ]);
    say(c.red(`✖ ${step.title}: ${error}`));
    return { outcome: 'failed', error };
  };
  let rendered: Step;
  try {
    rendered = await renderStep(step, scopeOf(eng));
  } catch (e) {
    return failBeforeStart(messageOf(e));
  }
  const missing = missingSecretsOf(rendered, ctx.env);
  if (missing) return failBeforeStart(missing);
  const params = paramsOf(rendered);
  if (ctx.dryRun) say(c.cyan(`[dry run] ${step.id} (${step.type}) ${JSON.stringify(params)}`));
  // on disk before the handler acts
  await session.appendAll([
    ...approvalEvents,
    {
      type: 'step_started',
      step: step.id,
      data: {
        step_type: step.type,
        title: step.title,
        attempt,
        idempotency_key: key,
        params,
        ...(ctx.dryRun ? { dry_run: true } : {}),
        ...ownerOf(step, session.state().roles),
      },
    },
  ]);
  const t0 = Date.now();
  const interactive = INTERACTIVE.has(step.type);
  if (!interactive && step.type !== 'wait' && !o.quiet) eng.spinner.start(step.title);
  let result: StepResult;
  try {
    const gate = o.gateInHandler ? await handlerGate(eng, step) : undefined;
    result = await callHandler(eng, rendered, attempt, key, gate, o.quiet);
  } finally {
    if (!o.quiet) eng.spinner.stop();
  }
  const duration_ms = Date.now() - t0;
  await session.appendAll([
    {
      type: 'step_completed',
      step: step.id,
      data: {
        step_type: step.type,
        outcome: result.outcome,
        ...(result.outcome === 'failed' ? { reason: result.error } : result.outcome === 'skipped' ? { reason: result.reason } : {}),
        ...(result.result ? { result: result.result } : {}),
        ...(result.outcome === 'ok' && result.warning ? { warning: result.warning } : {}),
        attempt,
        duration_ms,
      },
    },
    ...(o.resultEvents?.(result) ?? []),
  ]);
  if (result.outcome === 'ok' && result.warning)
    say(`${c.yellow('⚠')} ${step.title}${result.message ? c.dim(` — ${result.message}`) : ''}${c.yellow(`; ${result.warning}`)}`);
  else if (result.outcome === 'ok') say(`${c.green('✔')} ${step.title}${result.message ? c.dim(` — ${result.message}`) : ''}`);
  else if (result.outcome === 'skipped') say(c.dim(`- ${step.title} (skipped: ${result.reason})`));
  else say(`${c.red('✖')} ${step.title}: ${result.error}`);
  return result;
}

async function callHandler(eng: Engine, step: Step, attempt: number, key: string, gate?: ApprovalGate, quiet = false): Promise<StepResult> {
  const { ctx } = eng;
  const limited = !INTERACTIVE.has(step.type) && step.type !== 'wait';
  const timeoutMs = limited ? requireDuration(step.timeout, `step ${step.id}: timeout`, defaultTimeoutMs(eng.config, step)) : undefined;
  const selfTimed = SELF_TIMED.has(step.type);
  const timeout = new AbortController();
  const timer =
    timeoutMs !== undefined && !selfTimed
      ? setTimeout(() => timeout.abort(new Error(`timed out after ${formatElapsed(timeoutMs)}`)), timeoutMs)
      : undefined;
  const signal = AbortSignal.any([eng.signal, timeout.signal]);
  const handler = eng.registry[step.type] as (run: StepRun) => Promise<StepResult>;
  const resumedFrom = eng.session.state().steps[step.id]?.resumed_from;
  const run: StepRun = {
    step,
    ctx,
    incident: eng.session,
    scope: scopeOf(eng),
    idempotencyKey: key,
    attempt,
    ...(resumedFrom ? { resumedFrom: new Date(resumedFrom) } : {}),
    dryRun: ctx.dryRun,
    signal,
    ...(selfTimed && timeoutMs !== undefined ? { timeoutMs } : {}),
    prompter: eng.prompter,
    log: (text) => (quiet ? undefined : eng.say(`  ${text}`)),
    rerunStep: async (id) => {
      const other = eng.playbook.steps.find((s) => s.id === id);
      if (!other) throw new InvalidInputError(`step ${step.id}: recheck names unknown step "${id}"`);
      const prev = eng.session.state().steps[id];
      return runAttempt(eng, other, { attempt: (prev?.attempts ?? 0) + 1, quiet: true });
    },
    currentScope: () => scopeOf(eng),
    ...(gate ? { gate } : {}),
  };
  try {
    const aborted = new Promise<StepResult>((resolve) => {
      const onAbort = () => resolve({ outcome: 'failed', error: messageOf(signal.reason ?? 'aborted'), retryable: timeout.signal.aborted });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    const result = await Promise.race([handler(run), aborted]);
    if (eng.signal.aborted) throw new AbortedError(interruption(eng.signal, `during step "${step.id}"`));
    return result;
  } catch (e) {
    if (eng.signal.aborted) throw new AbortedError(interruption(eng.signal, `during step "${step.id}"`));
    // a user mistake (missing answer), a missing approval or Ctrl-C at a prompt stops the run. A
    // handler throws InvalidInputError only before it acts (resume.ts counts on it: such a step sent nothing)
    if (e instanceof InvalidInputError || e instanceof AbortedError) throw e;
    return { outcome: 'failed', error: messageOf(e), retryable: !isPayctlError(e) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** A step's timeout when it gives none: config step_timeout, and for a canary that plus its stages' holds. */
function defaultTimeoutMs(config: Config, step: Step): number {
  const base = parseDuration(config.step_timeout) ?? 5 * 60_000;
  return step.type === 'shift_traffic' ? shiftTrafficTimeoutMs(step, base) : base;
}

/** The step with its templates rendered; id, type and conditions are left as written. */
export async function renderStep<S extends Step>(step: S, scope: ReturnType<typeof buildScope>): Promise<S> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(step)) {
    out[k] = NOT_RENDERED.has(k) ? v : await renderDeep(v, scope, `step ${step.id}, ${k}`);
  }
  return out as S;
}

/** The role a step is for (`owner:`) and who holds it now, for its step_started. */
function ownerOf(step: Step, roles: Record<string, string>): { owner?: { role: string; person?: string } } {
  const role = 'owner' in step ? step.owner : undefined;
  if (!role) return {};
  return { owner: { role, ...(roles[role] ? { person: roles[role] } : {}) } };
}

function paramsOf(step: Step): Record<string, unknown> {
  const skip = new Set([
    'id',
    'type',
    'title',
    'description',
    'when',
    'confirm',
    'retries',
    'on_failure',
    'remind_every',
    'mitigates',
    'owner',
  ]);
  return Object.fromEntries(Object.entries(step).filter(([k, v]) => !skip.has(k) && v !== undefined));
}

/**
 * A failure after retries. Returns true to try again (a person chose retry).
 * continue: go on; abort, or ask without a person: stop (exit 1).
 */
async function onFailure(
  eng: Engine,
  step: Step,
  result: Extract<StepResult, { outcome: 'failed' }>,
  attempt: number,
  unrecorded: boolean,
): Promise<boolean> {
  const { session } = eng;
  if (unrecorded) {
    await session.append({
      type: 'step_completed',
      step: step.id,
      data: { step_type: step.type, outcome: 'failed', reason: result.error, attempt, duration_ms: 0 },
    });
    eng.say(`${eng.ctx.out.color.red('✖')} ${step.title}: ${result.error}`);
  }
  const policy = step.on_failure ?? 'ask';
  if (policy === 'continue') {
    await session.append({
      type: 'decision',
      step: step.id,
      data: { choice: 'continue', about: `step ${step.id} failed: ${result.error}` },
    });
    return false;
  }
  if (policy === 'ask' && eng.prompter.canPrompt) {
    const choice = await eng.prompter.select<'retry' | 'skip' | 'abort'>(
      `Step "${step.title}" failed: ${result.error}. What now?`,
      [
        { value: 'retry', name: 'Retry it' },
        { value: 'skip', name: 'Skip it and go on' },
        { value: 'abort', name: 'Stop the playbook (resume later)' },
      ],
      'retry',
    );
    const decision: NewEvent = { type: 'decision', step: step.id, data: { choice, about: `step ${step.id} failed: ${result.error}` } };
    if (choice === 'skip') {
      await session.appendAll([
        decision,
        {
          type: 'step_completed',
          step: step.id,
          data: {
            step_type: step.type,
            outcome: 'skipped',
            reason: `skipped by responder after it failed: ${result.error}`,
            attempt,
            duration_ms: 0,
          },
        },
      ]);
      return false;
    }
    await session.append(decision);
    if (choice === 'retry') return true;
    throw new OperationError(`step "${step.id}" failed: ${result.error}; stopped by responder`);
  }
  throw new OperationError(
    `step "${step.id}" failed: ${result.error}`,
    policy === 'ask' ? 'no person to ask what to do (on_failure: ask acts as abort when unattended)' : undefined,
  );
}

/**
 * The milestones that follow from a successful step (appended with its
 * step_completed; a milestone does not depend on step_completed's replay).
 */
function okMilestones(eng: Engine, step: Step, result: Extract<StepResult, { outcome: 'ok' }>): NewEvent[] {
  const state = eng.session.state();
  let ev: NewEvent | undefined;
  if ((step.type === 'switch_provider' || step.type === 'shift_traffic') && !eng.ctx.dryRun) {
    // traffic was already there: nothing moved, so nothing was mitigated or failed back by this step
    if (result.result?.unchanged === true) ev = undefined;
    else if (result.result?.failback === true) ev = milestoneEvent(state, 'failed_back', true, undefined, `step ${step.id}`);
    else ev = milestoneEvent(state, 'mitigated', false, undefined, `step ${step.id}`);
  } else if (step.mitigates && !eng.ctx.dryRun) {
    ev = milestoneEvent(state, 'mitigated', false, undefined, `step ${step.id}`);
  }
  return ev ? [ev] : [];
}

/** Reminders that follow from a successful step (its result and milestones are on disk). */
function afterOk(eng: Engine, step: Step): void {
  if (!step.remind_every) return;
  const r = reminderSpec(`step:${step.id}`, step.remind_every, `follow up on "${step.title}"`);
  const ended = eng.session.state().steps[step.id]?.ended_at ?? eng.ctx.clock.now().toISOString();
  if (r) eng.reminders.arm(r, ended);
}

/** How the run went: failed when a step failed (on_failure: continue). `pending`: a step result not yet applied to the state. */
export function runOutcome(eng: Engine, pending?: { step: string; outcome: Outcome }): 'ok' | 'failed' {
  const state = eng.session.state();
  const status = (id: string) => (pending && pending.step === id ? pending.outcome : state.steps[id]?.status);
  return eng.playbook.steps.some((s) => status(s.id) === 'failed') ? 'failed' : 'ok';
}

/** run_finished, with the run's outcome (`pending`: the last step's result, written in the same append). */
export function runFinishedEvent(eng: Engine, pending?: { step: string; outcome: Outcome }): NewEvent {
  return { type: 'run_finished', data: { outcome: runOutcome(eng, pending), ...(eng.joined ? { joined: true } : {}) } };
}

/**
 * Running one step: `when`, the approval gate, rendering, step_started (on
 * disk before the action), the handler under a timeout, step_completed right
 * after, retries with backoff, and the on_failure policy. Milestones that
 * follow from a step's result are recorded here too.
 */
import { AbortedError, InvalidInputError, OperationError, isPayctlError, messageOf } from '../errors.js';
import { formatDuration, requireDuration } from '../duration.js';
import type { Context } from '../context.js';
import type { Config } from '../config/schema.js';
import type { Playbook, Step } from '../playbook/schema.js';
import { evalCondition, renderDeep, renderString } from '../template/engine.js';
import { recordMilestone } from '../timeline/status.js';
import type { Prompter } from '../ui/prompter.js';
import type { Spinner } from '../ui/spinner.js';
import { idempotencyKey } from './idempotency.js';
import { interruption } from './interrupt.js';
import { reminderSpec, type Reminders } from './reminders.js';
import { buildScope } from './scope.js';
import type { IncidentSession } from './session.js';
import { GATE_IN_HANDLER, type ApprovalGate, type StepRegistry, type StepResult, type StepRun } from './types.js';

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
}

/** Fields that are not rendered: identity, and conditions evaluated by the engine/handler. */
const NOT_RENDERED = new Set(['id', 'type', 'when', 'until', 'recheck']);
/** Types that talk to a person: no spinner, no engine timeout. */
const INTERACTIVE = new Set(['manual', 'input', 'choose']);
const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

export function scopeOf(eng: Engine) {
  return buildScope(eng.session.state(), eng.config, eng.ctx.clock.now());
}

/** Walk one step through its whole policy. Throws a PayctlError to stop the run. */
export async function executeStep(eng: Engine, step: Step): Promise<void> {
  const { session } = eng;
  const c = eng.ctx.out.color;

  if (step.when) {
    let holds: boolean;
    try {
      holds = await evalCondition(step.when, scopeOf(eng), `step ${step.id}, when`);
    } catch (e) {
      await onFailure(eng, step, { outcome: 'failed', error: messageOf(e) }, 0, true);
      return;
    }
    if (!holds) {
      await session.append({
        type: 'step_completed',
        step: step.id,
        data: { step_type: step.type, outcome: 'skipped', reason: `when was false: ${step.when}`, attempt: 0, duration_ms: 0 },
      });
      eng.say(c.dim(`- ${step.title} (skipped: when ${step.when} was false)`));
      return;
    }
  }

  // a manual step shows its instructions first and asks the confirm question as its one question
  const gateInHandler = Boolean(step.confirm) && GATE_IN_HANDLER.has(step.type) && eng.prompter.canPrompt && !eng.ctx.dryRun;
  if (step.confirm && !gateInHandler && !(await approve(eng, step))) return;

  await recordMilestone((ev) => session.append(ev), session.state(), 'acknowledged');

  const previous = session.state().steps[step.id];
  let attempt = (previous?.attempts ?? 0) + 1;
  const retries = step.retries ?? 0;
  let tries = 0;
  for (;;) {
    const result = await runAttempt(eng, step, attempt, gateInHandler);
    if (result.outcome !== 'failed') {
      if (result.outcome === 'ok') await afterOk(eng, step, result);
      return;
    }
    tries++;
    if (result.retryable && tries <= retries && !eng.signal.aborted) {
      const wait = Math.min(BACKOFF_BASE_MS * 2 ** (tries - 1), BACKOFF_MAX_MS);
      eng.say(c.yellow(`  retrying ${step.id} in ${formatDuration(wait)} (attempt ${attempt + 1} of ${retries + 1})`));
      await eng.ctx.clock.sleep(wait, eng.signal).catch(() => undefined);
      if (eng.signal.aborted) throw new AbortedError(interruption(eng.signal, `while waiting to retry step "${step.id}"`));
      attempt++;
      continue;
    }
    const again = await onFailure(eng, step, result, attempt, false);
    if (!again) return;
    attempt++;
    tries = 0;
  }
}

async function gateQuestion(eng: Engine, step: Step): Promise<string> {
  return typeof step.confirm === 'string' ? renderString(step.confirm, scopeOf(eng), `step ${step.id}, confirm`) : `Run "${step.title}"?`;
}

/** The gate for a handler that asks it itself: approval_requested now, given/denied when answered. */
async function handlerGate(eng: Engine, step: Step): Promise<ApprovalGate> {
  const { session, ctx } = eng;
  const question = await gateQuestion(eng, step);
  await session.append({ type: 'approval_requested', step: step.id, data: { question } });
  const t0 = ctx.clock.now().getTime();
  return {
    question,
    async answer(approved) {
      if (approved) await session.append({ type: 'approval_given', step: step.id, data: { by: 'person', waited_ms: ctx.clock.now().getTime() - t0 } });
      else await session.append({ type: 'approval_denied', step: step.id, data: { by: 'person' } });
    },
  };
}

/** The approval gate. True to go on; false when a person declined (the step is skipped). */
async function approve(eng: Engine, step: Step): Promise<boolean> {
  const { session, ctx } = eng;
  const question = await gateQuestion(eng, step);
  if (ctx.dryRun) {
    eng.say(ctx.out.color.dim(`  (dry run: would ask "${question}")`));
    return true;
  }
  await session.append({ type: 'approval_requested', step: step.id, data: { question } });
  const t0 = ctx.clock.now().getTime();
  if (!eng.prompter.canPrompt && ctx.yes) {
    await session.append({ type: 'approval_given', step: step.id, data: { by: 'flag', waited_ms: 0 } });
    return true;
  }
  const ok = await eng.prompter.confirm(question, false, { gate: step.id });
  if (ok) {
    await session.append({ type: 'approval_given', step: step.id, data: { by: 'person', waited_ms: ctx.clock.now().getTime() - t0 } });
    return true;
  }
  await session.append({ type: 'approval_denied', step: step.id, data: { by: 'person' } });
  await session.append({
    type: 'step_completed',
    step: step.id,
    data: { step_type: step.type, outcome: 'skipped', reason: 'not approved by responder', attempt: 0, duration_ms: 0 },
  });
  eng.say(ctx.out.color.dim(`- ${step.title} (skipped: not approved)`));
  return false;
}

/** Render, record step_started, run the handler, record step_completed. */
export async function runAttempt(eng: Engine, step: Step, attempt: number, gateInHandler = false): Promise<StepResult> {
  const { session, ctx } = eng;
  const c = ctx.out.color;
  const key = idempotencyKey(session.id, step.id);
  let rendered: Step;
  try {
    rendered = await renderStep(step, scopeOf(eng));
  } catch (e) {
    const error = messageOf(e);
    await session.append({ type: 'step_completed', step: step.id, data: { step_type: step.type, outcome: 'failed', reason: error, attempt, duration_ms: 0 } });
    eng.say(c.red(`✖ ${step.title}: ${error}`));
    return { outcome: 'failed', error };
  }
  const params = paramsOf(rendered);
  if (ctx.dryRun) eng.say(c.cyan(`[dry run] ${step.id} (${step.type}) ${JSON.stringify(params)}`));
  await session.append({
    type: 'step_started',
    step: step.id,
    data: { step_type: step.type, title: step.title, attempt, idempotency_key: key, params, ...(ctx.dryRun ? { dry_run: true } : {}) },
  });
  const t0 = Date.now();
  const interactive = INTERACTIVE.has(step.type);
  if (!interactive && step.type !== 'wait') eng.spinner.start(step.title);
  let result: StepResult;
  try {
    const gate = gateInHandler ? await handlerGate(eng, step) : undefined;
    result = await callHandler(eng, rendered, attempt, key, gate);
  } finally {
    eng.spinner.stop();
  }
  const duration_ms = Date.now() - t0;
  await session.append({
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
  });
  if (result.outcome === 'ok' && result.warning) eng.say(`${c.yellow('⚠')} ${step.title}${result.message ? c.dim(` — ${result.message}`) : ''}${c.yellow(`; ${result.warning}`)}`);
  else if (result.outcome === 'ok') eng.say(`${c.green('✔')} ${step.title}${result.message ? c.dim(` — ${result.message}`) : ''}`);
  else if (result.outcome === 'skipped') eng.say(c.dim(`- ${step.title} (skipped: ${result.reason})`));
  else eng.say(`${c.red('✖')} ${step.title}: ${result.error}`);
  return result;
}

async function callHandler(eng: Engine, step: Step, attempt: number, key: string, gate?: ApprovalGate): Promise<StepResult> {
  const { ctx } = eng;
  const limited = !INTERACTIVE.has(step.type) && step.type !== 'wait';
  const timeoutMs = limited ? requireDuration(step.timeout, `step ${step.id}: timeout`, DEFAULT_TIMEOUT_MS) : undefined;
  const timeout = new AbortController();
  const timer = timeoutMs !== undefined ? setTimeout(() => timeout.abort(new Error(`timed out after ${formatDuration(timeoutMs)}`)), timeoutMs) : undefined;
  const signal = AbortSignal.any([eng.signal, timeout.signal]);
  const handler = eng.registry[step.type] as (run: StepRun) => Promise<StepResult>;
  const run: StepRun = {
    step,
    ctx,
    incident: eng.session,
    scope: scopeOf(eng),
    idempotencyKey: key,
    attempt,
    dryRun: ctx.dryRun,
    signal,
    prompter: eng.prompter,
    log: (text) => eng.say(`  ${text}`),
    rerunStep: async (id) => {
      const other = eng.playbook.steps.find((s) => s.id === id);
      if (!other) throw new InvalidInputError(`step ${step.id}: recheck names unknown step "${id}"`);
      const prev = eng.session.state().steps[id];
      return runAttempt(eng, other, (prev?.attempts ?? 0) + 1);
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
    // a user mistake (missing answer), a missing approval or Ctrl-C at a prompt stops the run
    if (e instanceof InvalidInputError || e instanceof AbortedError) throw e;
    return { outcome: 'failed', error: messageOf(e), retryable: !isPayctlError(e) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** The step with its templates rendered; id, type and conditions are left as written. */
export async function renderStep<S extends Step>(step: S, scope: ReturnType<typeof buildScope>): Promise<S> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(step)) {
    out[k] = NOT_RENDERED.has(k) ? v : await renderDeep(v, scope, `step ${step.id}, ${k}`);
  }
  return out as S;
}

function paramsOf(step: Step): Record<string, unknown> {
  const skip = new Set(['id', 'type', 'title', 'description', 'when', 'confirm', 'retries', 'on_failure', 'remind_every', 'mitigates']);
  return Object.fromEntries(Object.entries(step).filter(([k, v]) => !skip.has(k) && v !== undefined));
}

/**
 * A failure after retries. Returns true to try again (a person chose retry).
 * continue: go on; abort, or ask without a person: stop (exit 1).
 */
async function onFailure(eng: Engine, step: Step, result: Extract<StepResult, { outcome: 'failed' }>, attempt: number, unrecorded: boolean): Promise<boolean> {
  const { session } = eng;
  if (unrecorded) {
    await session.append({ type: 'step_completed', step: step.id, data: { step_type: step.type, outcome: 'failed', reason: result.error, attempt, duration_ms: 0 } });
    eng.say(`${eng.ctx.out.color.red('✖')} ${step.title}: ${result.error}`);
  }
  const policy = step.on_failure ?? 'ask';
  if (policy === 'continue') {
    await session.append({ type: 'decision', step: step.id, data: { choice: 'continue', about: `step ${step.id} failed: ${result.error}` } });
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
    await session.append({ type: 'decision', step: step.id, data: { choice, about: `step ${step.id} failed: ${result.error}` } });
    if (choice === 'retry') return true;
    if (choice === 'skip') {
      await session.append({
        type: 'step_completed',
        step: step.id,
        data: { step_type: step.type, outcome: 'skipped', reason: `skipped by responder after it failed: ${result.error}`, attempt, duration_ms: 0 },
      });
      return false;
    }
  }
  throw new OperationError(`step "${step.id}" failed: ${result.error}`, policy === 'ask' ? 'no person to ask what to do (on_failure: ask acts as abort when unattended)' : undefined);
}

/** Milestones and reminders that follow from a successful step. */
async function afterOk(eng: Engine, step: Step, result: Extract<StepResult, { outcome: 'ok' }>): Promise<void> {
  const { session } = eng;
  const append = (ev: Parameters<typeof session.append>[0]) => session.append(ev);
  if (step.type === 'switch_provider' && !eng.ctx.dryRun) {
    // traffic was already there: nothing moved, so nothing was mitigated or failed back by this step
    if (result.result?.unchanged === true) {
      // no milestone
    } else if (result.result?.failback === true) await recordMilestone(append, session.state(), 'failed_back', true, undefined, `step ${step.id}`);
    else await recordMilestone(append, session.state(), 'mitigated', false, undefined, `step ${step.id}`);
  } else if (step.mitigates && !eng.ctx.dryRun) {
    await recordMilestone(append, session.state(), 'mitigated', false, undefined, `step ${step.id}`);
  }
  if (step.remind_every) {
    const r = reminderSpec(`step:${step.id}`, step.remind_every, `follow up on "${step.title}"`);
    const ended = session.state().steps[step.id]?.ended_at ?? eng.ctx.clock.now().toISOString();
    if (r) eng.reminders.arm(r, ended);
  }
}

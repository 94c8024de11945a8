/**
 * Resuming an incident: replay its timeline, find the first step without a
 * completion, and walk on from there. A step with side effects that started
 * but never completed is not blindly repeated: a person chooses retry, mark
 * done or skip (only retry or skip when it is known to have sent nothing);
 * unattended, --yes retries it with the same idempotency key, and without
 * --yes the run stops (exit 3). The secrets of the steps left are checked
 * before anything runs (preflight.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { AbortedError, ExitCode, InvalidInputError, SourceError } from '../errors.js';
import type { Context } from '../context.js';
import { findPlaybook, loadPlaybookFile } from '../playbook/load.js';
import type { Playbook, Step } from '../playbook/schema.js';
import type { IncidentState } from '../timeline/replay.js';
import type { Store } from '../store/store.js';
import { emptyAnswers, type Answers } from '../ui/answers.js';
import type { Prompter } from '../ui/prompter.js';
import { armPlaybookReminder, engineParts, guard, holdingRun, makeEngine, walk, type RunReport } from './run.js';
import { answerInput } from './inputs.js';
import { buildScope } from './scope.js';
import { reminderSpec } from './reminders.js';
import { IncidentSession } from './session.js';
import { SIDE_EFFECT_TYPES, type StepRegistry } from './types.js';
import { requireStepSecrets } from './preflight.js';
import { rerunCommand, SANDBOX_SOURCES } from '../timeline/rehearsal.js';
import type { Engine } from './execute.js';
import { builtInPlaybook, isBuiltInIncident, withJoinedSteps } from './built-in-steps.js';

export interface ResumeOptions {
  ctx: Context;
  id: string;
  answers?: Answers;
  prompter?: Prompter;
  registry?: StepRegistry;
  signal?: AbortSignal;
}

/** Steps still to run: never completed, interrupted, or the failed step the last run stopped at. */
export function stepsToRun(state: IncidentState, playbook: Playbook): Step[] {
  return playbook.steps.filter((s) => {
    const st = state.steps[s.id];
    if (!st || st.status === 'started') return true;
    return st.status === 'failed' && state.run === 'stopped' && state.run_stopped_at_step === s.id;
  });
}

export async function resumeIncident(o: ResumeOptions): Promise<RunReport> {
  const store = await o.ctx.store();
  await store.require(o.id); // an unknown or malformed id is exit 2, before anything is created on disk
  // the state is read once no other process runs the incident (a second run would act twice)
  return holdingRun(store, o.id, () => resumeHeld(o, store));
}

async function resumeHeld(o: ResumeOptions, store: Store): Promise<RunReport> {
  const loaded = o.ctx.config();
  const { session, problems } = await IncidentSession.open(store, o.id, o.ctx.clock);
  const state = session.state();
  if (state.run !== 'finished') refuseSandboxRun(state); // before its playbook is looked for
  const ctx: Context = state.dry_run && !o.ctx.dryRun ? { ...o.ctx, dryRun: true } : o.ctx;
  for (const p of problems) ctx.out.warn(`${session.where(p.line)}: ${p.message}`);
  const playbook = await playbookOf(ctx, store, state);
  const answers = o.answers ?? emptyAnswers();
  const parts = await engineParts(ctx, answers, o.prompter, o.signal);
  const todo = stepsToRun(state, playbook);
  if (todo.length === 0 && state.run === 'finished') {
    parts.say(`incident ${o.id}: the playbook already ran to the end; nothing to resume (status ${state.status})`);
    return {
      incident: o.id,
      state,
      outcome: state.steps && Object.values(state.steps).some((s) => s.status === 'failed') ? 'failed' : 'ok',
      exitCode: ExitCode.ok,
    };
  }
  refuseSandboxRun(state);
  // a missing secret is found now, not at its step after the steps before it took another branch
  const unanswered = new Set(Object.keys(playbook.inputs ?? {}).filter((name) => !(name in state.answers) && !(name in answers.values)));
  // an interrupted step known to have sent nothing is the responder's to retry or skip (a retry
  // without its secret fails like any step, its on_failure applies): not a reason to refuse the resume
  const first = todo[0];
  const nothingSent = first && isInterrupted(state, first) && !ctx.dryRun ? await sentNothing(store, o.id, first.id) : undefined;
  const checked = nothingSent ? todo.slice(1) : todo;
  const secretsOfTodo = (nothing: string) =>
    requireStepSecrets({
      steps: checked,
      config: loaded.config,
      env: ctx.env,
      scope: buildScope(session.state(), loaded.config, ctx.clock.now(), answers.values),
      settled: settledSteps(session.state(), todo),
      unanswered,
      nothing,
    });
  if (!ctx.dryRun) await secretsOfTodo('nothing was resumed');
  await session.append({ type: 'run_started', data: { pid: process.pid, resume: true, dry_run: ctx.dryRun } });
  const eng = makeEngine(ctx, session, playbook, parts, o.registry, o.signal);
  const todoIds = new Set(todo.map((s) => s.id));
  parts.say(`resuming incident ${o.id}${todo[0] ? ` at step ${todo[0].id}` : ''}${ctx.dryRun ? ctx.out.color.yellow(' [dry run]') : ''}`);
  return guard(eng, async () => {
    for (const [name, spec] of Object.entries(playbook.inputs ?? {})) {
      if (name in session.state().answers) continue;
      const a = await answerInput(name, spec, answers, parts.prompter, buildScope(session.state(), loaded.config, ctx.clock.now()));
      await session.append({ type: 'input_answered', data: a });
    }
    if (unanswered.size && !ctx.dryRun) {
      unanswered.clear();
      await secretsOfTodo('no step has run yet');
    }
    if (first) {
      eng.current = first.id;
      if (!(await decideInterrupted(eng, first, nothingSent))) todoIds.delete(first.id);
    }
    armPlaybookReminder(eng);
    armStepReminders(eng);
    return walk(eng, 0, (id) => todoIds.has(id));
  });
}

/** Steps whose outcome is final: completed, not to run again, and not re-run by a wait step left (its recheck). */
function settledSteps(state: IncidentState, todo: Step[]): Set<string> {
  const rechecked = new Set(todo.flatMap((s) => (s.type === 'wait' ? (s.recheck ?? []) : [])));
  const todoIds = new Set(todo.map((s) => s.id));
  return new Set(
    Object.entries(state.steps)
      .filter(([id, st]) => st.status !== 'started' && !todoIds.has(id) && !rechecked.has(id))
      .map(([id]) => id),
  );
}

/** A demo's or drill's incident is not resumed: its sandbox is gone, and the rest of it would act on the providers of this config. */
function refuseSandboxRun(state: IncidentState): void {
  if (!SANDBOX_SOURCES.includes(state.source)) return;
  throw new InvalidInputError(
    `incident ${state.id} was a ${state.source} against the built-in sandbox, which stopped with it; it is not resumed (here it would act on the providers in your config)`,
    `run it again: ${rerunCommand(state)}`,
  );
}

/**
 * The playbook the incident ran: its recorded file, else by id; one that
 * failover or failback opened is rebuilt from its timeline. Switches those
 * commands joined to a playbook's incident come after its own steps.
 */
async function playbookOf(ctx: Context, store: Store, state: IncidentState): Promise<Playbook> {
  if (isBuiltInIncident(state)) return builtInPlaybook(store, state);
  const file = state.playbook_file;
  if (file && existsSync(file)) {
    const lp = loadPlaybookFile(file);
    if (!lp.playbook) throw new SourceError(lp.problems, `the playbook changed since the incident started; fix it, then resume`);
    return withJoinedSteps(store, state, lp.playbook);
  }
  if (!state.playbook) throw new InvalidInputError(`incident ${state.id} was not started from a playbook; there is nothing to resume`);
  return withJoinedSteps(store, state, findPlaybook(ctx.config().playbooksDir, state.playbook, ctx.cwd).playbook);
}

/** The sha256 of a playbook file (recorded at start; a resume warns when it changed). */
export function fileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * An interrupted step with side effects: true to run it (again, with the same
 * idempotency key), false when a person marked it done or skipped it. When
 * the timeline shows it never sent anything (sentNothing), "it did" is not
 * offered: it would be false.
 */
async function decideInterrupted(eng: Engine, step: Step, nothingSent: string | undefined): Promise<boolean> {
  const st = eng.session.state().steps[step.id];
  if (!st || !isInterrupted(eng.session.state(), step) || eng.ctx.dryRun) return true;
  const about = nothingSent
    ? `step ${step.id} (${step.type}) was stopped before it sent anything: ${nothingSent}`
    : `step ${step.id} (${step.type}) started at ${st.started_at} and has no result`;
  eng.ctx.out.warn(nothingSent ? about : `${about}: it may or may not have taken effect`);
  if (eng.prompter.canPrompt) {
    const choice = await eng.prompter.select<'retry' | 'mark_done' | 'skip'>(
      nothingSent
        ? `Step "${step.title}" was stopped before it sent anything. What now?`
        : `Step "${step.title}" was interrupted. Did it take effect?`,
      [
        { value: 'retry', name: `Retry it (same idempotency key ${st.idempotency_key})` },
        ...(nothingSent ? [] : [{ value: 'mark_done' as const, name: 'It did: mark it done' }]),
        { value: 'skip', name: 'Skip it and go on (it is not run)' },
      ],
      'retry',
    );
    const decision = { type: 'decision', step: step.id, data: { choice, about } } as const;
    if (choice === 'retry') {
      await eng.session.append(decision);
      return true;
    }
    const done = choice === 'mark_done';
    await eng.session.appendAll([
      decision,
      {
        type: 'step_completed',
        step: step.id,
        data: {
          step_type: step.type,
          outcome: done ? 'ok' : 'skipped',
          reason: done ? 'marked done by responder' : 'skipped by responder on resume',
          ...(done ? { result: { marked_done: true } } : {}),
          attempt: st.attempts,
          duration_ms: 0,
        },
      },
    ]);
    eng.say(
      done
        ? `${eng.ctx.out.color.green('✔')} ${step.title} (marked done)`
        : eng.ctx.out.color.dim(`- ${step.title} (skipped by responder)`),
    );
    return false;
  }
  if (eng.ctx.yes) {
    await eng.session.append({
      type: 'decision',
      step: step.id,
      data: { choice: 'retry', about: `${about}; retried (--yes) with the same idempotency key` },
    });
    return true;
  }
  throw new AbortedError(
    nothingSent
      ? `${about}; there is no person to ask whether to retry it`
      : `${about}; it may or may not have taken effect, and there is no person to ask`,
    `pass --yes to retry it with the same idempotency key (${st.idempotency_key})`,
  );
}

/** A step with side effects that started and has no result. */
function isInterrupted(state: IncidentState, step: Step): boolean {
  return state.steps[step.id]?.status === 'started' && SIDE_EFFECT_TYPES.has(step.type);
}

/**
 * Why the interrupted step `stepId` is known to have sent nothing, or
 * undefined when it may have. Known when, after its last step_started, payctl
 * itself stopped the run at it for invalid input (run_stopped, exit 2: a
 * missing secret, answer or value, which a handler raises only before it
 * acts) and no channel took a message for it (channel_sent).
 */
export async function sentNothing(store: Store, id: string, stepId: string): Promise<string | undefined> {
  let verdict: string | undefined;
  let running = false; // its last attempt started, and no run has stopped since
  let sent = false;
  for (const e of (await store.read(id)).events) {
    if (e.step !== stepId) continue;
    if (e.type === 'step_started') [running, sent, verdict] = [true, false, undefined];
    else if (e.type === 'channel_sent') sent = true;
    else if (e.type === 'run_stopped' && running) {
      // a later run that stopped at it without starting it again (say, at this question) changes nothing
      running = false;
      verdict = e.data.exit_code === ExitCode.invalid && !sent ? e.data.reason : undefined;
    }
  }
  return running ? undefined : verdict;
}

function armStepReminders(eng: Engine): void {
  const state = eng.session.state();
  for (const step of eng.playbook.steps) {
    const st = state.steps[step.id];
    if (!step.remind_every || st?.status !== 'ok') continue;
    const r = reminderSpec(`step:${step.id}`, step.remind_every, `follow up on "${step.title}"`);
    if (r) eng.reminders.arm(r, st.ended_at ?? st.started_at);
  }
}

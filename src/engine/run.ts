/**
 * Walking a playbook: open the incident, answer its inputs, run each step in
 * order (execute.ts), and end with run_finished, or run_stopped with the exit
 * code when the run stops early. `incident start`, `failover`, `drill` and
 * `demo` all go through startIncident(); resume.ts continues one.
 */
import { AbortedError, asStorageError, ExitCode, isPayctlError, type PayctlError } from '../errors.js';
import type { Context } from '../context.js';
import type { Playbook, Severity } from '../playbook/schema.js';
import { stepHandlers } from '../steps/index.js';
import { newIncidentId } from '../timeline/store.js';
import type { Store } from '../store/store.js';
import { milestoneEvent } from '../timeline/status.js';
import { isOpen, type IncidentState } from '../timeline/replay.js';
import { emptyAnswers, withAnswers, type Answers } from '../ui/answers.js';
import { createInquirerPrompter } from '../ui/inquirer.js';
import type { Prompter } from '../ui/prompter.js';
import { createSpinner, type Spinner } from '../ui/spinner.js';
import { createUnattendedPrompter } from '../ui/unattended.js';
import { executeStep, runFinishedEvent, runOutcome, type Engine } from './execute.js';
import { answerAllUnattended, answerInput, checkAnswerNames } from './inputs.js';
import type { SuggestedInputs } from './inferred-inputs.js';
import { answerStartInputs, deferredSummary } from './start-inputs.js';
import { interruption } from '../interrupt.js';
import { reminderSpec, Reminders } from './reminders.js';
import { buildScope } from './scope.js';
import { IncidentSession } from './session.js';
import type { StepRegistry } from './types.js';
import { actorName } from '../timeline/actor.js';
import { requireStepSecrets } from './preflight.js';
import { rerunCommand, SANDBOX_SOURCES } from '../timeline/rehearsal.js';

export interface RunReport {
  incident: string;
  state: IncidentState;
  /** ok: every step ok or skipped; failed: finished, but a step failed (on_failure: continue); stopped: ended early. */
  outcome: 'ok' | 'failed' | 'stopped';
  exitCode: number;
  /** Why the run stopped (printed by the entry). */
  error?: PayctlError;
}

export interface StartOptions {
  ctx: Context;
  playbook: Playbook;
  playbookFile?: string;
  playbookSha256?: string;
  answers?: Answers;
  title?: string;
  severity?: Severity;
  /** When the problem was detected, if earlier than now (--detected-at). */
  detectedAt?: Date;
  /** How it was opened, for the timeline (default "incident start"). */
  source?: string;
  /** Tests and callers may pass their own. */
  prompter?: Prompter;
  registry?: StepRegistry;
  /** Ctrl-C or SIGTERM (withInterrupt): abort the run (it is saved and can be resumed). */
  signal?: AbortSignal;
  /** Called once the incident exists (its id is known). */
  onOpened?: (id: string) => void;
  /**
   * Called before anything is opened, with the inputs known by then (given or
   * answered unattended) and the run's prompter: it may ask, or throw to open
   * nothing (e.g. another open incident handles the same trouble).
   */
  beforeOpen?: (known: Record<string, unknown>, prompter: Prompter) => Promise<void>;
  /** Input values payctl inferred from a health check, offered to the person for confirmation (engine/inferred-inputs.ts). */
  suggested?: SuggestedInputs;
  /** A rehearsal's stand-in second person (Engine.standInApprover): a drill approves its second-person gates as this actor. */
  standInApprover?: string;
}

export interface EngineParts {
  prompter: Prompter;
  spinner: Spinner;
  say: (text: string) => void;
}

/**
 * The prompter (with answers applied first), spinner and progress printer for a
 * context. `signal`: the run's; it cancels a question a person has open (SIGTERM).
 */
export async function engineParts(ctx: Context, answers: Answers, given?: Prompter, signal?: AbortSignal): Promise<EngineParts> {
  const spinner = await createSpinner(ctx);
  const base =
    given ??
    (ctx.canPrompt
      ? createInquirerPrompter({ out: ctx.out, input: ctx.stdin, output: ctx.streams.stdout, beforeAsk: () => spinner.stop(), signal })
      : createUnattendedPrompter({ yes: ctx.yes, out: ctx.out }));
  const say = (text: string) => {
    spinner.stop();
    if (ctx.out.jsonMode) ctx.out.info(text);
    else ctx.out.line(text);
  };
  return { prompter: withAnswers(base, answers), spinner, say };
}

export async function startIncident(o: StartOptions): Promise<RunReport> {
  const { ctx, playbook } = o;
  void actorName(); // who acts, for the timeline: looked up while the run gets ready
  const loaded = ctx.config();
  const answers = o.answers ?? emptyAnswers();
  const parts = await engineParts(ctx, answers, o.prompter, o.signal);
  const now = ctx.clock.now();
  const configScope = { config: loaded.config, inputs: {}, now: now.toISOString() };

  checkAnswerNames(playbook, answers);
  // Without a person, every input must be answerable before anything is written.
  const preAnswered = parts.prompter.canPrompt ? undefined : await answerAllUnattended(playbook, answers, parts.prompter, configScope);
  // every secret the steps that can run will read, before anything is opened (inputs a person will answer: after the answers)
  // the inputs known now (given by --var or the answers file take their type, as when they are recorded)
  const given =
    preAnswered ??
    (await Promise.all(
      Object.entries(playbook.inputs ?? {})
        .filter(([name]) => answers.values[name] !== undefined)
        .map(([name, spec]) => answerInput(name, spec, answers, parts.prompter, configScope)),
    ));
  const known = Object.fromEntries(given.map((a) => [a.name, a.value]));
  const unanswered = new Set(Object.keys(playbook.inputs ?? {}).filter((name) => !(name in known)));
  if (!ctx.dryRun) {
    await requireStepSecrets({
      steps: playbook.steps,
      config: loaded.config,
      env: ctx.env,
      scope: { ...configScope, inputs: known, steps: {} },
      unanswered,
      nothing: 'nothing was started',
    });
  }

  await o.beforeOpen?.(known, parts.prompter);
  const id = newIncidentId(now);
  const store = await ctx.store();
  const session = await createOrRemove(store, id, ctx);
  // held for the whole run: a resume of this id from another terminal is refused meanwhile
  return removedWhenUnopened(session, () =>
    holdingRun(store, id, async () => {
      const detectedAt = o.detectedAt && o.detectedAt.getTime() < now.getTime() ? o.detectedAt.toISOString() : undefined;
      // one append: nothing happens between these (unattended, the answers were all taken before)
      await session.appendAll([
        {
          type: 'incident_opened',
          data: {
            id,
            title: o.title ?? playbook.title,
            severity: o.severity ?? playbook.severity,
            playbook: playbook.id,
            ...(o.playbookFile ? { playbook_file: o.playbookFile } : {}),
            ...(o.playbookSha256 ? { playbook_sha256: o.playbookSha256 } : {}),
            dry_run: ctx.dryRun,
            source: o.source ?? 'incident start',
          },
        },
        { type: 'milestone', data: { name: 'detected', ...(detectedAt ? { at: detectedAt } : {}) } },
        { type: 'run_started', data: { pid: process.pid, resume: false, dry_run: ctx.dryRun } },
        ...(preAnswered ?? []).map((a) => ({ type: 'input_answered' as const, data: a })),
      ]);
      o.onOpened?.(id);
      parts.say(
        `${ctx.out.color.bold(`incident ${id}`)}: ${o.title ?? playbook.title}${ctx.dryRun ? ctx.out.color.yellow(' [dry run]') : ''}`,
      );

      const eng = makeEngine(ctx, session, playbook, parts, o.registry, o.signal);
      if (o.standInApprover) eng.standInApprover = o.standInApprover;
      return guard(eng, async () => {
        if (!preAnswered) {
          const deferred = await answerStartInputs({
            playbook,
            answers,
            prompter: parts.prompter,
            suggested: o.suggested,
            scope: () => buildScope(session.state(), loaded.config, ctx.clock.now()),
            record: async (a) => {
              // answering a question acknowledges the incident: both in one append, after the answer
              const ack = a.from === 'prompt' ? milestoneEvent(session.state(), 'acknowledged') : undefined;
              await session.appendAll([...(ack ? [ack] : []), { type: 'input_answered', data: a }]);
            },
          });
          if (deferred.length)
            parts.say(
              ctx.out.color.dim(`not asked now: ${deferredSummary(deferred)} (change one with payctl incident set ${id} name=value)`),
            );
        }
        if (unanswered.size && !ctx.dryRun) {
          const scope = buildScope(session.state(), loaded.config, ctx.clock.now());
          await requireStepSecrets({ steps: playbook.steps, config: loaded.config, env: ctx.env, scope, nothing: 'no step has run yet' });
        }
        armPlaybookReminder(eng);
        return walk(eng, 0);
      });
    }),
  );
}

/**
 * A new incident's directory, or nothing: when it cannot be created (a full
 * disk, a read-only store), what was made of it is removed, so no half-created
 * incident is left behind.
 */
async function createOrRemove(store: Store, id: string, ctx: Context): Promise<IncidentSession> {
  try {
    return await IncidentSession.create(store, id, ctx.clock);
  } catch (e) {
    await store.removeEmpty(id);
    throw notOpened(e);
  }
}

/**
 * The run of a new incident; when it fails before the incident was opened
 * (nothing in its timeline: the disk full, the store read-only), its
 * directory is removed rather than left half-created.
 */
async function removedWhenUnopened<T>(session: IncidentSession, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    await session.appender.close();
    if (!(await session.store.removeEmpty(session.id))) throw e;
    throw notOpened(e);
  }
}

function notOpened(e: unknown): unknown {
  const storage = asStorageError(e);
  return storage ? storage.withHint('nothing was recorded: the incident was not opened; run the command again once it is fixed') : e;
}

export function makeEngine(
  ctx: Context,
  session: IncidentSession,
  playbook: Playbook,
  parts: EngineParts,
  registry?: StepRegistry,
  signal?: AbortSignal,
): Engine {
  return {
    ctx,
    config: ctx.config().config,
    session,
    playbook,
    prompter: parts.prompter,
    registry: registry ?? stepHandlers,
    spinner: parts.spinner,
    reminders: new Reminders(session, parts.prompter, () => ctx.clock.now()),
    signal: signal ?? new AbortController().signal,
    say: parts.say,
  };
}

export function armPlaybookReminder(eng: Engine): void {
  if (!eng.playbook.remind_every) return;
  const r = reminderSpec(
    'playbook',
    eng.playbook.remind_every,
    `incident still ${eng.session.state().status}: update customers and the team`,
  );
  if (r) eng.reminders.arm(r, eng.session.state().opened_at);
}

/** Run steps from `from` to the end (those `shouldRun` accepts); run_finished when all are done. */
export async function walk(eng: Engine, from: number, shouldRun: (id: string) => boolean = () => true): Promise<RunReport> {
  const steps = eng.playbook.steps;
  const lastToRun = steps.findLastIndex((s, i) => i >= from && shouldRun(s.id));
  let finished = false;
  for (let i = from; i < steps.length; i++) {
    if (eng.signal.aborted) throw new AbortedError(interruption(eng.signal));
    if (!shouldRun(steps[i]!.id)) continue;
    eng.current = steps[i]!.id;
    // the last step writes run_finished in the same append as its result, when nothing comes between
    finished = await executeStep(eng, steps[i]!, i === lastToRun);
  }
  eng.current = undefined;
  if (!finished) await eng.session.append(runFinishedEvent(eng));
  await eng.reminders.stop();
  // a dry run that ran to its end closes itself: it changed nothing, and open it would sit among the real incidents
  if (eng.session.state().dry_run && isOpen(eng.session.state()))
    await eng.session.append({ type: 'incident_cancelled', data: { reason: 'dry run ended: nothing was changed' } });
  return { incident: eng.session.id, state: eng.session.state(), outcome: runOutcome(eng), exitCode: ExitCode.ok };
}

/**
 * Run the body; when it stops early (a step aborted, approval missing, Ctrl-C,
 * a missing answer), record run_stopped with the exit code and say how to resume.
 */
/** Run `body` holding the incident's run lock (timeline/lock.ts): one process runs an incident's steps at a time. */
export async function holdingRun<T>(store: Store, id: string, body: () => Promise<T>): Promise<T> {
  const release = await store.locks.run(id);
  try {
    return await body();
  } finally {
    await release().catch(() => undefined);
  }
}

export async function guard(eng: Engine, body: () => Promise<RunReport>): Promise<RunReport> {
  try {
    return await body();
  } catch (e) {
    await eng.reminders.stop();
    eng.spinner.stop();
    if (!isPayctlError(e)) throw e;
    try {
      await eng.session.append({
        type: 'run_stopped',
        ...(eng.current ? { step: eng.current } : {}),
        data: { reason: e.message, exit_code: e.exitCode },
      });
    } catch (notWritten) {
      // the disk filled or went read-only: the timeline ends at its last whole event, where a resume continues
      if (!isPayctlError(notWritten)) throw notWritten;
    }
    const resumeCmd = `payctl incident resume ${eng.session.id}${e.exitCode === ExitCode.aborted && /--yes/.test(e.hint ?? '') ? ' --yes' : ''}`;
    const state = eng.session.state();
    const next = SANDBOX_SOURCES.includes(state.source)
      ? `the ${state.source} ran against the built-in sandbox, which stops with it, so it is not resumed; run it again: ${rerunCommand(state)}`
      : `the incident is saved; continue it with: ${resumeCmd}`;
    const hint = [e.hint, next].filter(Boolean).join('\n');
    const error = Object.assign(Object.create(Object.getPrototypeOf(e) as object) as PayctlError, e, { message: e.message, hint });
    return { incident: eng.session.id, state: eng.session.state(), outcome: 'stopped', exitCode: e.exitCode, error };
  }
}

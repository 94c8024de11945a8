/**
 * Second-person approval: a gated step with `confirm: { message, second_person: true }`
 * runs only once someone other than its runner approved it. The run records
 * approval_requested (second_person) and waits at the step, watching the store
 * (fs.watch + poll on a directory, LISTEN/NOTIFY on PostgreSQL), while another
 * person runs `payctl incident approve` (giveApproval) or `payctl incident
 * deny` (denyApproval) from any machine sharing the store. Approved: the step
 * runs. Denied while the run waits: the step is recorded as skipped (declined)
 * and the run stops (exit 3). Unattended, nobody waits: --yes does not pass
 * the gate; the run stops (exit 3) naming the approve command. An answer
 * recorded meanwhile (no run waiting) counts for the next resume: approved,
 * the step runs, unless the resumer is the approver (that resume is refused,
 * exit 3, the approval left standing for someone else's resume); declined,
 * the step is recorded as skipped and the resume goes on after it.
 *
 * A drill or the demo has no second person: it names a stand-in
 * (Engine.standInApprover) who approves through giveApproval like anyone else.
 */
import type { Clock } from '../clock.js';
import { AbortedError, InvalidInputError, OperationError } from '../errors.js';
import { interruption } from '../interrupt.js';
import type { Step } from '../playbook/schema.js';
import type { Store } from '../store/store.js';
import { actorName } from '../timeline/actor.js';
import type { NewEvent, Outcome, TimelineEvent } from '../timeline/events.js';
import { waitingApprovals, type IncidentState, type SecondPersonApproval } from '../timeline/replay.js';
import { cancelledError, milestoneEvent } from '../timeline/status.js';
import type { Engine } from './execute.js';

/** The rule a runner approving their own gate breaks (named in the refusal). */
export const SECOND_PERSON_RULE = 'a second-person gate is approved by someone other than the person running it';

export function needsSecondPerson(step: Step): boolean {
  return typeof step.confirm === 'object' && step.confirm.second_person === true;
}

/** The commands that answer a waiting gate. */
export function approveCommand(id: string, step: string): string {
  return `payctl incident approve ${id} --step ${step}`;
}
export function denyCommand(id: string, step: string): string {
  return `payctl incident deny ${id} --step ${step} --reason "…"`;
}

/**
 * Pass the gate or stop the run. Returns true once approved (the approval is
 * on disk); false when a denial was recorded before the run reached the gate
 * (the step is recorded as skipped with `finish`'s events: the run goes on
 * after it); throws AbortedError (exit 3) when it is declined while the run
 * waits, the resumer is the approver, nobody can wait for it, or the run is
 * interrupted while waiting.
 */
export async function secondPersonGate(
  eng: Engine,
  step: Step,
  question: string,
  finish: (outcome: Outcome) => NewEvent[],
): Promise<boolean> {
  const { session, ctx } = eng;
  const c = ctx.out.color;
  if (ctx.dryRun) {
    eng.say(c.dim(`  (dry run: would wait for a second person to approve "${question}")`));
    return true;
  }
  const me = await actorName();
  // approvals and denials recorded while no run waited (and the request of an earlier run)
  let gate = (await session.refresh()).approvals[step.id];
  if (gate?.status === 'approved' && gate.by !== me) {
    eng.say(`${c.green('✔')} ${step.title}: approved by ${gate.by} at ${gate.at}`);
    await acknowledge(eng);
    return true;
  }
  if (gate?.status === 'denied') {
    await skipDeclined(eng, step, gate, finish);
    return false;
  }
  if (gate?.status === 'approved')
    // the approval stands for anyone else's resume: nothing is asked again
    throw new AbortedError(
      `${me} approved step "${step.id}" ("${question}") and cannot run it: ${SECOND_PERSON_RULE}`,
      `the approval stands: anyone but ${me} resumes the run with: payctl incident resume ${session.id} --yes`,
    );
  // a request this runner made before (a run stopped here) still stands; anyone else's is asked again
  if (gate?.status !== 'waiting' || gate.requested_by !== me)
    await session.append({ type: 'approval_requested', step: step.id, data: { question, second_person: true } });
  const after = session.state().event_count;
  const approve = approveCommand(session.id, step.id);
  if (eng.standInApprover) {
    eng.say(c.dim(`  ${step.id} needs a second person's approval: ${eng.standInApprover} gives it (a rehearsal has nobody else)`));
    await giveApproval(session.store, session.id, { step: step.id, actor: eng.standInApprover, clock: ctx.clock });
  } else if (!eng.prompter.canPrompt) {
    throw new AbortedError(
      `step "${step.id}" needs a second person's approval ("${question}"); --yes does not give it, and nobody waits for it in an unattended run`,
      `anyone but ${me} approves it with: ${approve}\n(or declines it: ${denyCommand(session.id, step.id)})`,
    );
  } else {
    eng.say(
      [
        `${c.yellow('⏸')} ${step.title}: waiting for a second person to approve "${question}"`,
        `  anyone but ${me} approves it (any machine sharing the store): ${approve}`,
        `  or declines it: ${denyCommand(session.id, step.id)}`,
        c.dim('  (Ctrl-C stops the run here; an approval given meanwhile counts when it is resumed)'),
      ].join('\n'),
    );
  }
  const answered = await waitForAnswer(eng, step, after, me);
  if (!answered) throw new AbortedError(interruption(eng.signal, `while waiting for a second person to approve step "${step.id}"`));
  gate = (await session.refresh()).approvals[step.id]!;
  if (gate.status === 'denied') return declined(eng, step, gate);
  eng.say(`${c.green('✔')} approved by ${gate.by}`);
  await acknowledge(eng);
  return true;
}

/**
 * The approving or denying event for the step, watched for in the store after
 * seq `after`; false when the run was interrupted. On a database store the
 * watch outlives its connection (pg-watch.ts): it says so on stderr, connects
 * again with backoff, and reads every event appended meanwhile, so an answer
 * given while it could not hear is not missed.
 */
async function waitForAnswer(eng: Engine, step: Step, after: number, me: string): Promise<boolean> {
  const { session } = eng;
  const done = new AbortController();
  const stop = () => done.abort();
  eng.signal.addEventListener('abort', stop, { once: true });
  let answered = false;
  const isAnswer = (e: TimelineEvent) =>
    e.step === step.id &&
    ((e.type === 'approval_given' && e.data.by === 'second_person' && e.actor !== me) ||
      (e.type === 'approval_denied' && e.data.by === 'second_person'));
  try {
    await session.store.watch(
      session.id,
      after,
      (events) => {
        if (events.some(isAnswer)) {
          answered = true;
          done.abort();
        }
      },
      AbortSignal.any([done.signal, eng.signal]),
      // a database store's connection lost: it says so, connects again and reads what was appended meanwhile
      { lost: (m) => eng.ctx.out.warn(m), back: (m) => eng.ctx.out.info(m) },
    );
  } finally {
    eng.signal.removeEventListener('abort', stop);
  }
  return answered && !eng.signal.aborted;
}

/** The first person's approval acknowledges the incident (when nothing did before). */
async function acknowledge(eng: Engine): Promise<void> {
  const ev = milestoneEvent(eng.session.state(), 'acknowledged');
  if (ev) await eng.session.append(ev);
}

function declinedWhy(gate: SecondPersonApproval): string {
  return `declined by ${gate.by}${gate.reason ? `: ${gate.reason}` : ''}`;
}

function skippedEvent(step: Step, why: string): NewEvent {
  return {
    type: 'step_completed',
    step: step.id,
    data: { step_type: step.type, outcome: 'skipped', reason: why, attempt: 0, duration_ms: 0 },
  };
}

/** Declined before the run reached the gate: the step is recorded as skipped, and the run goes on after it. */
async function skipDeclined(eng: Engine, step: Step, gate: SecondPersonApproval, finish: (outcome: Outcome) => NewEvent[]): Promise<void> {
  const why = declinedWhy(gate);
  await eng.session.appendAll([skippedEvent(step, why), ...finish('skipped')]);
  eng.say(eng.ctx.out.color.dim(`- ${step.title} (skipped: ${why})`));
}

/** Declined while the run waited: the step is recorded as skipped, and the run stops (exit 3); a resume goes on after it. */
async function declined(eng: Engine, step: Step, gate: SecondPersonApproval): Promise<never> {
  const why = declinedWhy(gate);
  await eng.session.append(skippedEvent(step, why));
  eng.say(eng.ctx.out.color.dim(`- ${step.title} (skipped: ${why})`));
  throw new AbortedError(
    `step "${step.id}" was ${why}; the run stops there`,
    'a resume goes on with the steps after it (the declined step is not run)',
  );
}

export interface AnswerOptions {
  /** The gated step; without it, the only one waiting. */
  step?: string;
  /** Who answers (the event's actor): this process's actor by default. */
  actor?: string;
  clock: Clock;
  /** Why (deny). */
  reason?: string;
}

/**
 * Record a second person's approval of a waiting gate (payctl incident
 * approve). Refused (exit 1, naming the rule) for the person who asked for it;
 * exit 2 when no such gate waits. Returns the gate as it was, and whether it
 * was already approved (nothing written then).
 */
export async function giveApproval(store: Store, id: string, o: AnswerOptions): Promise<{ gate: SecondPersonApproval; already: boolean }> {
  const actor = o.actor ?? (await actorName());
  const { state } = await store.replay(id);
  const gate = gateToAnswer(state, o.step, 'approve');
  if (gate.status === 'approved') return { gate, already: true };
  if (gate.requested_by === actor)
    throw new OperationError(
      `${actor} asked for this approval (step "${gate.step}" of ${id}) and cannot give it: ${SECOND_PERSON_RULE}`,
      'ask someone else to run: ' + approveCommand(id, gate.step),
    );
  const waited = Math.max(0, o.clock.now().getTime() - Date.parse(gate.requested_at));
  const ack = milestoneEvent(state, 'acknowledged');
  await appendAs(store, id, actor, o.clock, [
    { type: 'approval_given', step: gate.step, data: { by: 'second_person', waited_ms: waited } },
    ...(ack ? [ack] : []),
  ]);
  return { gate, already: false };
}

/** Record a second person's denial (payctl incident deny): the waiting run stops, the step declined. */
export async function denyApproval(store: Store, id: string, o: AnswerOptions & { reason: string }): Promise<SecondPersonApproval> {
  const actor = o.actor ?? (await actorName());
  const { state } = await store.replay(id);
  const gate = gateToAnswer(state, o.step, 'deny');
  if (gate.status === 'approved')
    throw new InvalidInputError(
      `step "${gate.step}" of ${id} was already approved by ${gate.by} at ${gate.at}`,
      'a run may already have acted on it; stop the run (Ctrl-C) or cancel the incident if it must not go on',
    );
  await appendAs(store, id, actor, o.clock, [
    { type: 'approval_denied', step: gate.step, data: { by: 'second_person', reason: o.reason } },
  ]);
  return gate;
}

/** The gate `step` names, or the only one waiting; exit 2 when there is none, or it is ambiguous. */
function gateToAnswer(state: IncidentState, step: string | undefined, verb: 'approve' | 'deny'): SecondPersonApproval {
  if (state.status === 'cancelled') throw cancelledError(state);
  const waiting = waitingApprovals(state);
  if (step !== undefined) {
    const gate = state.approvals[step];
    if (gate && (gate.status === 'waiting' || (verb === 'approve' && gate.status === 'approved'))) return gate;
    const now = waiting.length ? `waiting: ${waiting.map((g) => g.step).join(', ')}` : 'no step of it waits for one now';
    throw new InvalidInputError(
      gate?.status === 'denied'
        ? `step "${step}" of ${state.id} was already declined by ${gate.by}`
        : `step "${step}" of ${state.id} does not wait for a second person's approval (${now})`,
    );
  }
  if (waiting.length === 1) return waiting[0]!;
  if (waiting.length === 0) {
    const stoppedAt = state.run === 'stopped' ? state.run_stopped_at_step : undefined;
    const approvedGate = stoppedAt ? state.approvals[stoppedAt] : undefined;
    throw new InvalidInputError(
      `no step of ${state.id} waits for a second person's approval`,
      stoppedAt && !approvedGate
        ? `its run stopped at step "${stoppedAt}", which needs no second person's approval; continue it (--yes approves an ordinary gate): payctl incident resume ${state.id} --yes`
        : 'a step waits once its run reaches it (payctl incident show lists the approvals asked)',
    );
  }
  throw new InvalidInputError(
    `${waiting.length} steps of ${state.id} wait for a second person's approval: ${waiting.map((g) => g.step).join(', ')}`,
    `name one: payctl incident ${verb} ${state.id} --step <id>`,
  );
}

/** Events appended as `actor` (the person answering), in one append. */
async function appendAs(store: Store, id: string, actor: string, clock: Clock, events: NewEvent[]): Promise<void> {
  const w = await store.appender(id, { actor, now: () => clock.now() });
  try {
    await w.appendAll(events);
  } finally {
    await w.close();
  }
}

/**
 * The approval gate of a step with `confirm:`. The engine asks it before the
 * step's first attempt (approve); a handler that asks it itself, as its one
 * question, gets an ApprovalGate instead (handlerGate: manual, after showing
 * its instructions).
 *
 * Approval acknowledges the incident: the milestone goes in the same append
 * as approval_given. An approval by flag (--yes, nobody to ask) is not written
 * here: its events come back as `unwritten`, for the engine to write in the
 * same append as step_started (nothing happens between them).
 *
 * A gate that needs a second person (`confirm: { second_person: true }`) is
 * second-person.ts's: neither the runner nor --yes passes it.
 */
import { renderString } from '../template/engine.js';
import { milestoneEvent } from '../timeline/status.js';
import type { NewEvent, Outcome } from '../timeline/events.js';
import type { Step } from '../playbook/schema.js';
import type { Engine } from './execute.js';
import { buildScope } from './scope.js';
import { needsSecondPerson, secondPersonGate } from './second-person.js';
import type { ApprovalGate } from './types.js';

export interface Approval {
  /** false when a person declined: the step is recorded as skipped. */
  approved: boolean;
  /** An approval by flag, not yet on disk: written with the step's step_started. */
  unwritten: NewEvent[];
}

async function gateQuestion(eng: Engine, step: Step): Promise<string> {
  const text = typeof step.confirm === 'object' ? step.confirm.message : step.confirm;
  return typeof text === 'string'
    ? renderString(text, buildScope(eng.session.state(), eng.config, eng.ctx.clock.now()), `step ${step.id}, confirm`)
    : `Run "${step.title}"?`;
}

/** The gate for a handler that asks it itself: approval_requested now, given/denied when answered. */
export async function handlerGate(eng: Engine, step: Step): Promise<ApprovalGate> {
  const { session, ctx } = eng;
  const question = await gateQuestion(eng, step);
  await session.append({ type: 'approval_requested', step: step.id, data: { question } });
  const t0 = ctx.clock.now().getTime();
  return {
    question,
    async answer(approved) {
      if (approved)
        await session.append({ type: 'approval_given', step: step.id, data: { by: 'person', waited_ms: ctx.clock.now().getTime() - t0 } });
      else await session.append({ type: 'approval_denied', step: step.id, data: { by: 'person' } });
    },
  };
}

/**
 * Ask the gate before the step's first attempt. A person who declines skips
 * the step (recorded with `finish`'s events: run_finished when it was the last).
 */
export async function approve(eng: Engine, step: Step, finish: (outcome: Outcome) => NewEvent[]): Promise<Approval> {
  const { session, ctx } = eng;
  const question = await gateQuestion(eng, step);
  if (needsSecondPerson(step)) {
    // someone other than the runner approves it: the run waits, or stops (second-person.ts)
    return { approved: await secondPersonGate(eng, step, question, finish), unwritten: [] };
  }
  if (ctx.dryRun) {
    eng.say(ctx.out.color.dim(`  (dry run: would ask "${question}")`));
    return { approved: true, unwritten: [] };
  }
  const requested: NewEvent = { type: 'approval_requested', step: step.id, data: { question } };
  const ack = () => {
    const ev = milestoneEvent(session.state(), 'acknowledged');
    return ev ? [ev] : [];
  };
  if (!eng.prompter.canPrompt && ctx.yes) {
    // approved by the flag: nobody is asked, nothing happens between request and approval
    return {
      approved: true,
      unwritten: [requested, { type: 'approval_given', step: step.id, data: { by: 'flag', waited_ms: 0 } }, ...ack()],
    };
  }
  // on disk before the question is asked
  await session.append(requested);
  const t0 = ctx.clock.now().getTime();
  const ok = await eng.prompter.confirm(question, false, { gate: step.id });
  if (ok) {
    await session.appendAll([
      { type: 'approval_given', step: step.id, data: { by: 'person', waited_ms: ctx.clock.now().getTime() - t0 } },
      ...ack(),
    ]);
    return { approved: true, unwritten: [] };
  }
  await session.appendAll([
    { type: 'approval_denied', step: step.id, data: { by: 'person' } },
    {
      type: 'step_completed',
      step: step.id,
      data: { step_type: step.type, outcome: 'skipped', reason: 'not approved by responder', attempt: 0, duration_ms: 0 },
    },
    ...finish('skipped'),
  ]);
  eng.say(ctx.out.color.dim(`- ${step.title} (skipped: not approved)`));
  return { approved: false, unwritten: [] };
}

/**
 * payctl incident approve <id> [--step <id>] and payctl incident deny <id>
 * [--step <id>] --reason "…": a second person answers a gate that needs one
 * (`confirm: { second_person: true }`), from any machine sharing the store.
 * The run waiting at it goes on (or stops, declined) within a second; when no
 * run waits (an unattended run stopped there, or the run was killed: the run
 * lock says so, run-state.ts), the approval counts for the next `payctl
 * incident resume`. The person who runs the step cannot approve
 * it (exit 1, naming the rule). The rules are engine/second-person.ts's.
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { denyApproval, giveApproval } from '../engine/second-person.js';
import type { Store } from '../store/store.js';
import { actorName } from '../timeline/actor.js';
import { readWithLiveness, runCondition, type RunCondition } from '../timeline/run-state.js';
import { resolveIncidentId } from './incident-id.js';

export interface ApproveOptions {
  step?: string;
  json?: boolean;
}

export interface DenyOptions extends ApproveOptions {
  reason: string;
}

export async function approveStep(ctx: Context, idArg: string, opts: ApproveOptions): Promise<void> {
  const id = await resolveIncidentId(ctx, idArg, { real: true });
  const store = await ctx.store();
  const actor = await actorName();
  const { gate, already } = await giveApproval(store, id, { step: opts.step, actor, clock: ctx.clock });
  const run = await runNow(store, id);
  if (ctx.out.jsonMode)
    return ctx.out.json({
      incident: id,
      step: gate.step,
      approved_by: already ? gate.by : actor,
      requested_by: gate.requested_by,
      already_approved: already,
      run,
    });
  if (already) return ctx.out.line(`step ${gate.step} of ${id} was already approved by ${gate.by} at ${gate.at}`);
  ctx.out.line(`${id}: step ${gate.step} approved by ${actor} ("${gate.question}", asked by ${gate.requested_by})`);
  ctx.out.line(
    ctx.out.color.dim(
      run === 'running'
        ? 'the run waiting at it goes on'
        : `${noRunWaits(run)}; it counts when the incident is resumed: payctl incident resume ${id} (by anyone but ${actor})`,
    ),
  );
}

/** Where the incident's run stands now, as incident list says it: running only while a live process holds its run lock. */
async function runNow(store: Store, id: string): Promise<RunCondition> {
  const { state, live } = await readWithLiveness(store.locks, id, async () => (await store.replay(id)).state);
  return runCondition(state, live);
}

function noRunWaits(run: RunCondition): string {
  return run === 'interrupted'
    ? 'no run waits at it now (its run was interrupted: killed, or the machine went down)'
    : 'no run waits at it now';
}

export async function denyStep(ctx: Context, idArg: string, opts: DenyOptions): Promise<void> {
  const reason = opts.reason.trim();
  if (!reason)
    throw new InvalidInputError(
      'say why with --reason',
      'payctl incident deny <id> --reason "checkout stays up: the attack is blocked at the WAF"',
    );
  const id = await resolveIncidentId(ctx, idArg, { real: true });
  const store = await ctx.store();
  const actor = await actorName();
  const gate = await denyApproval(store, id, { step: opts.step, actor, clock: ctx.clock, reason });
  const run = await runNow(store, id);
  if (ctx.out.jsonMode)
    return ctx.out.json({ incident: id, step: gate.step, denied_by: actor, reason, requested_by: gate.requested_by, run });
  ctx.out.line(`${id}: step ${gate.step} declined by ${actor}: ${reason}`);
  ctx.out.line(
    ctx.out.color.dim(
      run === 'running'
        ? 'the run waiting at it stops there (the step is not run)'
        : `${noRunWaits(run)}; the next resume records it as skipped and goes on with the steps after it: payctl incident resume ${id}`,
    ),
  );
}

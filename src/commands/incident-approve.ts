/**
 * payctl incident approve <id> [--step <id>] and payctl incident deny <id>
 * [--step <id>] --reason "…": a second person answers a gate that needs one
 * (`confirm: { second_person: true }`), from any machine sharing the store.
 * The run waiting at it goes on (or stops, declined) within a second; when no
 * run waits (an unattended run stopped there), the approval counts for the
 * next `payctl incident resume`. The person who runs the step cannot approve
 * it (exit 1, naming the rule). The rules are engine/second-person.ts's.
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { denyApproval, giveApproval } from '../engine/second-person.js';
import { actorName } from '../timeline/actor.js';
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
  const { state } = await store.replay(id);
  const runWaits = state.run === 'running';
  if (ctx.out.jsonMode)
    return ctx.out.json({
      incident: id,
      step: gate.step,
      approved_by: already ? gate.by : actor,
      requested_by: gate.requested_by,
      already_approved: already,
      run: state.run,
    });
  if (already) return ctx.out.line(`step ${gate.step} of ${id} was already approved by ${gate.by} at ${gate.at}`);
  ctx.out.line(`${id}: step ${gate.step} approved by ${actor} ("${gate.question}", asked by ${gate.requested_by})`);
  ctx.out.line(
    ctx.out.color.dim(
      runWaits
        ? 'the run waiting at it goes on'
        : `no run waits at it now; it counts when the incident is resumed: payctl incident resume ${id} (by anyone but ${actor})`,
    ),
  );
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
  const { state } = await store.replay(id);
  if (ctx.out.jsonMode)
    return ctx.out.json({ incident: id, step: gate.step, denied_by: actor, reason, requested_by: gate.requested_by, run: state.run });
  ctx.out.line(`${id}: step ${gate.step} declined by ${actor}: ${reason}`);
  ctx.out.line(
    ctx.out.color.dim(
      state.run === 'running'
        ? 'the run waiting at it stops there (the step is not run)'
        : `no run waits at it now; the next resume records it as skipped and goes on with the steps after it: payctl incident resume ${id}`,
    ),
  );
}

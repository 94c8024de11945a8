/**
 * A canary stage that did not hold, ran past the step's timeout or failed
 * mid-stage: the routing goes back to the last good split, a `halted`
 * traffic_stage records why and where to, and the step fails.
 */
import { messageOf } from '../errors.js';
import type { StepRun } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import { switchTraffic, type SwitchOutcome } from '../providers/switch.js';
import { describeSplit, shareOf, type Split } from '../providers/routing/split.js';
import type { Plan } from './shift-traffic.js';

export interface Halt {
  i: number;
  split: Split;
  lastGood: Split;
  reason: string;
  reading: { success_rate?: number | null; attempts?: number | null };
  summary: () => Record<string, unknown>;
}

/** A stage that did not hold, timed out or failed: roll back to the last good split, record it, fail the step. */
export async function halt(run: StepRun<StepOf<'shift_traffic'>>, p: Plan, h: Halt) {
  const share = p.stages[h.i]!;
  const back = await rollBack(run, p, h.lastGood, `${run.idempotencyKey}-${share}-rollback`);
  const rolledTo = back.ok ? (back.result.split_after ?? h.lastGood) : undefined;
  await run.incident.append({
    type: 'traffic_stage',
    step: run.step.id,
    data: {
      key: run.idempotencyKey,
      stage: h.i,
      share,
      to: p.to,
      result: 'halted',
      split: h.split,
      ...h.reading,
      reason: h.reason,
      ...(rolledTo ? { rolled_back_to: rolledTo } : {}),
    },
  });
  const where = back.ok
    ? `rolled back to ${describeSplit(rolledTo!)}`
    : `the rollback to ${describeSplit(h.lastGood)} failed: ${back.error}; check the routing by hand`;
  run.log(`canary stopped at stage ${h.i + 1}: ${where}`);
  return {
    outcome: 'failed' as const,
    error: `canary halted at stage ${h.i + 1} (${share}% to ${p.to}): ${h.reason}; ${where}`,
    retryable: false,
    result: { ...h.summary(), halted_at: h.i, reason: h.reason, rolled_back: back.ok, split_after: rolledTo ?? h.split },
  };
}

async function rollBack(run: StepRun<StepOf<'shift_traffic'>>, p: Plan, split: Split, key: string): Promise<SwitchOutcome> {
  try {
    const share = shareOf(split, p.to);
    // the last good split: a share of the target, or everything on the other provider
    const target = share > 0 ? { to: p.to, share } : { to: split[0]!.provider, share: 100 };
    return await switchTraffic(p.switchDeps, { ...target, force: true, key, dryRun: run.dryRun });
  } catch (e) {
    return { ok: false, retryable: false, error: messageOf(e) };
  }
}

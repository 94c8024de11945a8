/**
 * switch_provider: move traffic with src/providers/switch.ts (the same code as
 * `payctl failover`), holding the routing target's lock in the store, recording the routing before and after, verification and
 * any rollback (SwitchProviderResult).
 */
import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import { httpClientFor } from '../providers/http.js';
import { switchTraffic } from '../providers/switch.js';
import { failedFrom } from './failure.js';

export const switch_provider: StepHandler<StepOf<'switch_provider'>> = async (run) => {
  try {
    const out = await switchTraffic(
      {
        config: run.ctx.config().config,
        http: httpClientFor(run.ctx, { dryRun: run.dryRun, log: run.log }),
        env: run.ctx.env,
        log: run.log,
        prompter: run.prompter,
        signal: run.signal,
        // one writer to a routing at a time, across incidents and processes
        locks: (await run.ctx.store()).locks,
        incident: run.incident.id,
      },
      {
        to: run.step.to,
        ...(run.step.from ? { from: run.step.from } : {}),
        force: Boolean(run.step.force),
        key: run.idempotencyKey,
        dryRun: run.dryRun,
      },
    );
    if (out.ok) return { outcome: 'ok', result: { ...out.result }, message: out.message };
    if (run.dryRun && !out.result) {
      // a dry run shows what would happen now; a refusal is its finding, not a failure of the rehearsal
      return {
        outcome: 'ok',
        result: { dry_run: true, to: run.step.to, would_refuse: out.error },
        message: `dry run: would refuse now: ${out.error}`,
      };
    }
    const result = out.refused ? { ...(out.result ?? { to: run.step.to }), refused: true } : out.result;
    return { outcome: 'failed', error: out.error, retryable: out.retryable, ...(result ? { result: { ...result } } : {}) };
  } catch (e) {
    return failedFrom(e);
  }
};

/**
 * switch_provider: move traffic with src/providers/switch.ts (the same code as
 * `payctl failover`), holding the routing target's lock in the store, recording the routing before and after, verification and
 * any rollback (SwitchProviderResult).
 */
import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import { httpClientFor } from '../providers/http.js';
import { checkShare, switchTraffic } from '../providers/switch.js';
import { failedFrom } from './failure.js';
import { InvalidInputError } from '../errors.js';

/** share: a number, or a rendered template ("90"); bad input stops the run (exit 2). */
function shareOf(value: number | string | undefined): { share?: number } {
  if (value === undefined || value === '') return {};
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new InvalidInputError(`share is ${JSON.stringify(value)}: a whole percent from 1 to 100`, 'e.g. share: 90');
  return { share: n };
}

export const switch_provider: StepHandler<StepOf<'switch_provider'>> = async (run) => {
  const share = shareOf(run.step.share);
  // a share the routing cannot take is refused before anything is read or written (exit 2)
  checkShare(run.ctx.config().config, share.share);
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
        ...share,
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

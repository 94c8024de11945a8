/**
 * check_status: read a provider's status page. The step is ok with whatever the
 * status is (the playbook decides via `when:`); it fails only when the page
 * cannot be read (HTML, invalid JSON, no answer, not a components list, or a
 * watched component the page does not have), by its on_failure rule: the same
 * judgement as `payctl check` (checkProviderStatus decides for both).
 */
import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import { httpClientFor } from '../providers/http.js';
import { checkProviderStatus } from '../providers/provider-status.js';
import { failedFrom } from './failure.js';

export const check_status: StepHandler<StepOf<'check_status'>> = async (run) => {
  const config = run.ctx.config().config;
  const http = httpClientFor(run.ctx, { dryRun: run.dryRun, log: run.log });
  try {
    const { maintenances: _m, unconfigured, warnings, ...result } = await checkProviderStatus(http, config, run.step.provider, run.signal);
    if (unconfigured)
      return {
        outcome: 'ok',
        result: { ...result },
        message: `${result.provider} has no status page configured (providers.${result.provider}.statuspage): status unknown`,
      };
    for (const w of warnings ?? []) run.log(`warning: ${w}`);
    const incidents = result.incidents.length
      ? `; ${result.incidents.length} open incident(s): ${result.incidents.map((i) => i.name).join('; ')}`
      : '';
    return {
      outcome: 'ok',
      result: { ...result },
      message: `${result.provider}: ${result.status} (indicator ${result.indicator})${incidents}`,
    };
  } catch (e) {
    return failedFrom(e);
  }
};

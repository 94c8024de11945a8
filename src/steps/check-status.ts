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
import type { MaintenanceWindow } from '../providers/statuspage.js';
import { failedFrom } from './failure.js';
import { messageOf } from '../errors.js';
import { currentWindow, openWindows, overlapping, windowInWords } from '../providers/maintenance-windows.js';
import type { CheckStatusResult } from '../timeline/results.js';

export const check_status: StepHandler<StepOf<'check_status'>> = async (run) => {
  const config = run.ctx.config().config;
  const http = httpClientFor(run.ctx, { dryRun: run.dryRun, log: run.log });
  try {
    const { maintenances = [], unconfigured, warnings, ...status } = await checkProviderStatus(http, config, run.step.provider, run.signal);
    const result: CheckStatusResult = { ...status, ...(await maintenanceFields(run, maintenances)) };
    if (unconfigured)
      return {
        outcome: 'ok',
        result: { ...result },
        message: `${result.provider} has no status page configured (providers.${result.provider}.statuspage): status unknown`,
      };
    for (const w of warnings ?? []) run.log(`warning: ${w}`);
    const overlaps = result.overlapping_maintenances?.length
      ? `; its maintenance ${result.overlapping_maintenances.map((w) => `${windowInWords(w)} overlaps ${w.overlaps}`).join('; ')}`
      : '';
    const incidents = result.incidents.length
      ? `; ${result.incidents.length} open incident(s): ${result.incidents.map((i) => i.name).join('; ')}`
      : '';
    return {
      outcome: 'ok',
      result: { ...result },
      message: `${result.provider}: ${result.status} (indicator ${result.indicator})${incidents}${overlaps}`,
    };
  } catch (e) {
    return failedFrom(e);
  }
};

/**
 * The page's open maintenance windows, the current one in words, and with
 * `overlap_with`, the windows that overlap that provider's current window
 * (its page is read too; when it cannot be, a warning, and no overlaps field).
 */
async function maintenanceFields(
  run: Parameters<typeof check_status>[0],
  maintenances: MaintenanceWindow[],
): Promise<Pick<CheckStatusResult, 'maintenances' | 'maintenance_window' | 'overlapping_maintenances'>> {
  const open = openWindows(maintenances).map(({ name, status, scheduled_for, scheduled_until }) => ({
    name,
    status,
    scheduled_for,
    scheduled_until,
  }));
  const current = currentWindow(open);
  const out: Pick<CheckStatusResult, 'maintenances' | 'maintenance_window' | 'overlapping_maintenances'> = {
    maintenances: open,
    ...(current ? { maintenance_window: windowInWords(current) } : {}),
  };
  const other = run.step.overlap_with;
  if (!other || other === run.step.provider) return out;
  const config = run.ctx.config().config;
  const http = httpClientFor(run.ctx, { dryRun: run.dryRun, log: run.log });
  let theirs: MaintenanceWindow | undefined;
  try {
    theirs = currentWindow((await checkProviderStatus(http, config, other, run.signal)).maintenances ?? []);
  } catch (e) {
    // this provider's page was read: its status stands; the comparison is what is missing
    run.log(`warning: ${other}'s maintenance windows could not be read (${messageOf(e)}); overlaps not checked`);
    return out;
  }
  out.overlapping_maintenances = theirs
    ? overlapping(open, theirs).map((w) => ({
        name: w.name,
        scheduled_for: w.scheduled_for,
        scheduled_until: w.scheduled_until,
        window: windowInWords(w),
        overlaps: `${other} ${windowInWords(theirs)}`,
      }))
    : [];
  return out;
}

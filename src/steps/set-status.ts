/** set_status: the incident's status (investigating → identified → monitoring → resolved), recorded as status_changed. */
import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import type { SetStatusResult } from '../timeline/results.js';
import { recordStatusChange } from '../timeline/status.js';

export const set_status: StepHandler<StepOf<'set_status'>> = async (run) => {
  const { step, incident } = run;
  // the status as the timeline has it now: someone may have set it from another shell while the run went on
  const current = await incident.refresh();
  const from = current.status;
  const changed = await recordStatusChange((ev) => incident.append(ev), current, step.status, step.message);
  const result: SetStatusResult = { status: step.status };
  return { outcome: 'ok', result: { ...result, from }, message: changed ? `${from} → ${step.status}` : `already ${step.status}` };
};

/** The step registry: one handler per step type (see engine/types.ts). */
import type { StepRegistry } from '../engine/types.js';
import { manual } from './manual.js';
import { input } from './input.js';
import { choose } from './choose.js';
import { check_status } from './check-status.js';
import { query_metrics } from './query-metrics.js';
import { switch_provider } from './switch-provider.js';
import { notify } from './notify.js';
import { escalate } from './escalate.js';
import { http } from './http.js';
import { shell } from './shell.js';
import { wait } from './wait.js';
import { set_status } from './set-status.js';

export const stepHandlers: StepRegistry = {
  manual,
  input,
  choose,
  check_status,
  query_metrics,
  switch_provider,
  notify,
  escalate,
  http,
  shell,
  wait,
  set_status,
};

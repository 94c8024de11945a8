/**
 * The step registry: one handler per step type (see engine/types.ts). Each
 * handler module is imported on the first run of its type, so a run loads only
 * what its steps use (a failover: switch_provider and the routing adapter).
 */
import type { StepHandler, StepRegistry } from '../engine/types.js';
import type { StepOf, StepType } from '../playbook/schema.js';

/** A handler that imports its module (and that module's dependencies) when first called. */
function lazy<K extends StepType>(load: () => Promise<StepHandler<StepOf<K>>>): StepHandler<StepOf<K>> {
  let handler: Promise<StepHandler<StepOf<K>>> | undefined;
  return async (run) => (await (handler ??= load()))(run);
}

export const stepHandlers: StepRegistry = {
  manual: lazy(async () => (await import('./manual.js')).manual),
  input: lazy(async () => (await import('./input.js')).input),
  choose: lazy(async () => (await import('./choose.js')).choose),
  check_status: lazy(async () => (await import('./check-status.js')).check_status),
  query_metrics: lazy(async () => (await import('./query-metrics.js')).query_metrics),
  switch_provider: lazy(async () => (await import('./switch-provider.js')).switch_provider),
  shift_traffic: lazy(async () => (await import('./shift-traffic.js')).shift_traffic),
  notify: lazy(async () => (await import('./notify.js')).notify),
  escalate: lazy(async () => (await import('./escalate.js')).escalate),
  http: lazy(async () => (await import('./http.js')).http),
  shell: lazy(async () => (await import('./shell.js')).shell),
  wait: lazy(async () => (await import('./wait.js')).wait),
  set_status: lazy(async () => (await import('./set-status.js')).set_status),
};

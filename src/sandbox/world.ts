/**
 * Everything the emulated APIs share: the provider list, the clock, the faults,
 * the routing order, the traffic simulation and what each API has received.
 */
import type { FaultBook } from './faults.js';
import type { RoutingState } from './hyperswitch.js';
import type { TrafficSimulation } from './simulation.js';
import type { PagerDutyState } from './pagerduty.js';
import type { ManageState } from './statuspage-manage.js';
import type { SlackState } from './slack.js';
import type { WebhookState } from './webhooks.js';

export interface World {
  providers: readonly string[];
  now: () => number;
  startedAt: number;
  /** A provider's status-page incident moves from investigating to identified after this long. */
  identifyAfterMs: number;
  faults: FaultBook;
  routing: RoutingState;
  simulation: TrafficSimulation;
  pagerduty: PagerDutyState;
  manage: ManageState;
  slack: SlackState;
  webhooks: WebhookState;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

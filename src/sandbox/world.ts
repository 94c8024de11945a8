/**
 * Everything the emulated APIs share: the provider list, the clock, the faults,
 * the routing order, the traffic simulation and what each API has received.
 */
import { InvalidInputError } from '../errors.js';
import { iso } from './http.js';
import { API_TARGETS, FaultBook } from './faults.js';
import { RoutingState } from './hyperswitch.js';
import { PagerDutyState } from './pagerduty.js';
import { SlackState } from './slack.js';
import { statusPageSummary } from './status-pages.js';
import { ManageState } from './statuspage-manage.js';
import { TrafficSimulation, type TrafficTarget } from './simulation.js';
import { WebhookState } from './webhooks.js';

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

export interface WorldOptions {
  providers: string[];
  now: () => number;
  transitionMs?: number;
  identifyAfterMs?: number;
  /** Simulated payments per minute over all providers (default 120). */
  ordersPerMinute?: number;
}

export function checkProviders(providers: string[]): void {
  if (providers.length === 0) throw new InvalidInputError('the sandbox needs at least one provider');
  for (const p of providers) {
    if (!/^[a-z][a-z0-9_-]*$/.test(p)) throw new InvalidInputError(`invalid provider name "${p}" (lower-case letters, digits, - and _)`);
    if ((API_TARGETS as readonly string[]).includes(p))
      throw new InvalidInputError(`"${p}" cannot be a provider name: it is a sandbox API target`);
  }
  if (new Set(providers).size !== providers.length) throw new InvalidInputError('provider names must be unique');
}

export function createWorld(o: WorldOptions): World {
  const { providers, now } = o;
  // the simulation reads faults and routing, which notify it of changes; until it exists there is nothing to notify
  let simulation: TrafficSimulation | undefined;
  const retarget = () => simulation?.retarget();
  const faults = new FaultBook({ providers, now, onChange: retarget });
  const routing = new RoutingState(providers, now, retarget, () => faults.get('hyperswitch', 'response')?.kind === 'stale');
  simulation = new TrafficSimulation({
    providers,
    now,
    transitionMs: o.transitionMs,
    ordersPerMinute: o.ordersPerMinute,
    targetNow: (): TrafficTarget => ({
      shares: routing.shares(),
      conditions: Object.fromEntries(
        providers.map((p) => {
          const kind = faults.condition(p)?.kind;
          return [p, kind && kind !== 'latency' ? (kind as TrafficTarget['conditions'][string]) : 'healthy'];
        }),
      ),
    }),
  });
  return {
    providers,
    now,
    startedAt: now(),
    identifyAfterMs: o.identifyAfterMs ?? 5000,
    faults,
    routing,
    simulation,
    pagerduty: new PagerDutyState(now),
    manage: new ManageState(providers, now),
    slack: new SlackState(now),
    webhooks: new WebhookState(now),
  };
}

/** Heal everything, restore the routing order, forget what the APIs received. */
export function resetWorld(world: World): void {
  world.faults.reset();
  world.routing.reset();
  world.pagerduty.reset();
  world.manage.reset();
  world.slack.reset();
  world.webhooks.reset();
  world.simulation.reset();
}

/** A snapshot (deep copy) of everything, for tests, drills and GET /_control/state. */
export function worldState(world: World, url: string, requestCount: number) {
  return structuredClone({
    url,
    started_at: iso(world.startedAt),
    providers: Object.fromEntries(world.providers.map((p) => [p, statusPageSummary(world, p)])),
    faults: world.faults.list(),
    healed_faults: world.faults.history(),
    routing: {
      order: world.routing.names(),
      connectors: world.routing.order,
      split: world.routing.activeSplit() ?? null,
      changes: world.routing.changes,
    },
    traffic: world.simulation.snapshot(),
    pagerduty: { alerts: world.pagerduty.alerts, events: world.pagerduty.eventCount },
    slack: { messages: world.slack.messages },
    statuspage: { incidents: world.manage.incidents },
    webhooks: { deliveries: world.webhooks.deliveries },
    requests: requestCount,
  });
}

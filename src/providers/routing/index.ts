/**
 * Where traffic goes: the routing switch behind one small interface, with three
 * implementations chosen by config `routing.adapter.type`:
 *   hyperswitch  GET/POST /routing/default (fallback connector order)
 *   http         a templated request for a merchant's own routing service, plus a templated read-back
 *   shell        argument lists run with execa (never through a shell)
 * An order lists provider names, first = receives traffic. An adapter that
 * can send shares of traffic to several providers also has `split`
 * (hyperswitch: a volume-split algorithm; http: routing.adapter.split; shell:
 * routing.adapter.split); one without it moves all traffic or none.
 */
import { InvalidInputError } from '../../errors.js';
import type { Config } from '../../config/schema.js';
import type { HttpClient } from '../http.js';
import { splitArgument, whole, type Split } from './split.js';

export interface Routing {
  /** Provider names in priority order; the first receives traffic. */
  read(signal?: AbortSignal): Promise<string[]>;
  /** Replace the order. `key` is the idempotency key, stable over retries. In a dry run, printed and not done. */
  write(order: string[], key: string, signal?: AbortSignal): Promise<void>;
  /** A short description for messages: "hyperswitch at https://…". */
  readonly describe: string;
  /** Shares of traffic; absent when the adapter cannot split (all traffic goes to the first in the order). */
  readonly split?: SplitRouting;
}

export interface SplitRouting {
  /** The shares now: one provider at 100 when nothing is split. */
  read(signal?: AbortSignal): Promise<Split>;
  /** Send these shares (`target`: the provider being moved to); a single provider at 100 ends any split. `key`: the idempotency key. */
  write(split: Split, target: string, key: string, signal?: AbortSignal): Promise<void>;
}

/** The shares a routing sends now: its split, or everything to the first in its order. */
export async function readSplit(routing: Routing, signal?: AbortSignal): Promise<Split> {
  if (routing.split) return routing.split.read(signal);
  const order = await routing.read(signal);
  return order[0] ? whole(order[0]) : [];
}

/** Why an adapter cannot take a share below 100, or undefined when it can. */
export function cannotSplit(config: Config): string | undefined {
  const a = config.routing?.adapter;
  if (!a) return 'no routing.adapter is configured';
  if (a.type === 'hyperswitch') return undefined;
  if (a.split) return undefined;
  return `the ${a.type} routing adapter has no routing.adapter.split configured, so it can only move all traffic (share 100)`;
}

export interface RoutingDeps {
  config: Config;
  http: HttpClient;
  env: NodeJS.ProcessEnv;
  dryRun: boolean;
  log: (text: string) => void;
  timeoutMs: number;
}

/** The configured routing adapter, or an error telling the user to configure one. */
export async function createRouting(deps: RoutingDeps): Promise<Routing> {
  const adapter = deps.config.routing?.adapter;
  if (!adapter) {
    throw new InvalidInputError(
      'no routing adapter is configured (routing.adapter), so payctl cannot read or move traffic',
      'add routing.adapter (hyperswitch, http or shell) to the config; see docs/config.md',
    );
  }
  switch (adapter.type) {
    case 'hyperswitch':
      return (await import('./hyperswitch.js')).hyperswitchRouting(adapter, deps);
    case 'http':
      return (await import('./http.js')).httpRouting(adapter, deps);
    case 'shell':
      return (await import('./shell.js')).shellRouting(adapter, deps);
  }
}

/**
 * A connector name or id from a routing service, as a configured provider name:
 * by providers.<p>.connector_id, then by name, then by kind. Unknown ones stay as given.
 */
export function providerForConnector(config: Config, connector: string, connectorId?: string): string {
  const entries = Object.entries(config.providers);
  if (connectorId) {
    const byId = entries.find(([, p]) => p.connector_id === connectorId);
    if (byId) return byId[0];
  }
  if (config.providers[connector]) return connector;
  const byKind = entries.filter(([, p]) => p.kind === connector);
  if (byKind.length === 1) return byKind[0]![0];
  return connector;
}

/** Values a templated routing request or command can use. */
export function routingScope(order: string[], key: string, from?: string): Record<string, unknown> {
  return { to: order[0] ?? '', from: from ?? '', order: order.join(','), order_json: JSON.stringify(order), providers: order, key };
}

/**
 * Values a templated split request or command can use: to (the provider
 * traffic moves to), share (its percent), from (the provider keeping the rest,
 * or empty), split ("adyen=90,stripe=10"), split_json ([{provider, percent}]),
 * shares ({adyen: 90, stripe: 10}), key.
 */
export function splitScope(split: Split, target: string, key: string): Record<string, unknown> {
  return {
    to: target,
    share: split.find((s) => s.provider === target)?.percent ?? 0,
    from: split.find((s) => s.provider !== target)?.provider ?? '',
    split: splitArgument(split),
    split_json: JSON.stringify(split),
    shares: Object.fromEntries(split.map((s) => [s.provider, s.percent])),
    key,
  };
}

/** Values read back from a JSON document at a dotted path (a.b[0].c). */
export function valueAtPath(doc: unknown, path: string): unknown {
  const parts = path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
  let cur: unknown = doc;
  for (const p of parts) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** A read-back value as an order: a string (the active provider), a list of names, or a list of {connector}. */
export function orderFromValue(config: Config, value: unknown): string[] | undefined {
  if (typeof value === 'string') {
    const t = value.trim();
    if (t.startsWith('[')) {
      try {
        return orderFromValue(config, JSON.parse(t));
      } catch {
        return undefined;
      }
    }
    return t
      ? t
          .split(',')
          .map((s) => providerForConnector(config, s.trim()))
          .filter(Boolean)
      : undefined;
  }
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const v of value) {
      if (typeof v === 'string') out.push(providerForConnector(config, v));
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        const name =
          typeof o.connector === 'string'
            ? o.connector
            : typeof o.provider === 'string'
              ? o.provider
              : typeof o.name === 'string'
                ? o.name
                : undefined;
        if (!name) return undefined;
        out.push(providerForConnector(config, name, typeof o.merchant_connector_id === 'string' ? o.merchant_connector_id : undefined));
      } else return undefined;
    }
    return out;
  }
  return undefined;
}

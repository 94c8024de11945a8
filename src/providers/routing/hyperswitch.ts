/**
 * Hyperswitch routing (v1).
 * The fallback connector order (all traffic to the first):
 *   GET  {base}/routing/default   → [{ connector, merchant_connector_id }, …]
 *   POST {base}/routing/default   ← the same list, reordered
 * Shares, through a volume-split routing algorithm:
 *   POST {base}/routing                 ← {name, description, profile_id, algorithm: {type: "volume_split", data: [{split, output: {connector, merchant_connector_id}}]}} → {id, …}
 *   POST {base}/routing/{id}/activate   → the activated record
 *   GET  {base}/routing/active          → [{id, kind, …}] (the active algorithms)
 *   GET  {base}/routing/{id}            → {id, algorithm: {type, data}, …}
 *   POST {base}/routing/deactivate      ← {profile_id}: back to the fallback order
 * Header `api-key`. Provider names map to connectors by providers.<p>.connector_id,
 * then the connector name (the provider name or its kind). A write keeps each
 * connector's entry (ids and any other fields) as the read before it returned it.
 * While a volume split is active it decides where traffic goes, so the order
 * read is the split's (largest share first), then the fallback order's others.
 */
import { OperationError } from '../../errors.js';
import { HttpError } from '../http-errors.js';
import { resolveSecret } from '../../secrets.js';
import type { RoutingAdapter } from '../../config/schema.js';
import { orderFromValue, providerForConnector, type Routing, type RoutingDeps } from './index.js';
import { splitFromValue, whole, type Split } from './split.js';

type HyperswitchConfig = Extract<RoutingAdapter, { type: 'hyperswitch' }>;
interface Connector {
  connector: string;
  merchant_connector_id?: string;
  [k: string]: unknown;
}

const SERVICE = 'hyperswitch routing';
const FRESH_MS = 1000;

export function hyperswitchRouting(cfg: HyperswitchConfig, deps: RoutingDeps): Routing {
  const base = cfg.base_url.replace(/\/+$/, '');
  const url = `${base}/routing/default`;
  const headers = () => ({ 'api-key': resolveSecret(cfg.api_key, 'routing.adapter.api_key', deps.env) });
  const name = (c: string, id?: string) => providerForConnector(deps.config, c, id);

  /**
   * The list the last read returned: a write right after a read (a second, at
   * most) builds on it instead of reading again. After anything longer (a
   * person asked whether to roll back) the write reads again.
   */
  let lastRead: { list: Connector[]; at: number } | undefined;
  /** The same for the active volume split (undefined inside: none active). */
  let lastActive: { value: { id: string; split: Split } | undefined; at: number } | undefined;
  const fresh = <T extends { at: number }>(r: T | undefined): T | undefined => (r && Date.now() - r.at <= FRESH_MS ? r : undefined);

  async function readRaw(signal?: AbortSignal): Promise<Connector[]> {
    const res = await deps.http.request<unknown>({ service: SERVICE, url, headers: headers(), signal });
    const list = Array.isArray(res.data) ? res.data : undefined;
    if (!list?.every((c) => c && typeof c === 'object' && typeof (c as Connector).connector === 'string')) {
      throw new OperationError(`${SERVICE}: GET ${url} did not return a connector list ([{connector, merchant_connector_id}, …])`);
    }
    lastRead = { list: list as Connector[], at: Date.now() };
    return lastRead.list;
  }

  /** The active volume split's id and shares, or undefined when no volume split is active. */
  async function activeSplit(signal?: AbortSignal): Promise<{ id: string; split: Split } | undefined> {
    const value = await fetchActiveSplit(signal);
    lastActive = { value, at: Date.now() };
    return value;
  }

  async function fetchActiveSplit(signal?: AbortSignal): Promise<{ id: string; split: Split } | undefined> {
    let res;
    try {
      res = await deps.http.request<unknown>({ service: SERVICE, url: `${base}/routing/active`, headers: headers(), signal });
    } catch (e) {
      // a deployment without routing algorithms (only the fallback order): nothing is split
      if (e instanceof HttpError && e.status === 404) return undefined;
      throw e;
    }
    const records = Array.isArray(res.data) ? res.data : res.data && typeof res.data === 'object' ? [res.data] : [];
    const active = records.find((r) => r && typeof r === 'object' && (r as { kind?: unknown }).kind === 'volume_split') as
      | { id?: unknown }
      | undefined;
    if (!active || typeof active.id !== 'string') return undefined;
    const algo = await deps.http.request<unknown>({
      service: SERVICE,
      url: `${base}/routing/${encodeURIComponent(active.id)}`,
      headers: headers(),
      signal,
    });
    const data = (algo.data as { algorithm?: { type?: unknown; data?: unknown } } | undefined)?.algorithm;
    const split = data?.type === 'volume_split' ? splitFromValue(data.data, name) : undefined;
    if (!split)
      throw new OperationError(
        `${SERVICE}: the active routing algorithm ${active.id} is not a readable volume split (algorithm.data: [{split, output: {connector}}] summing to 100)`,
      );
    return { id: active.id, split };
  }

  async function writeOrder(order: string[], key: string, signal?: AbortSignal): Promise<void> {
    const known = fresh(lastRead)?.list;
    lastRead = undefined;
    const current = known ?? (await readRaw(signal));
    const names = orderFromValue(deps.config, current) ?? [];
    const body: Connector[] = [];
    for (const p of order) {
      const i = names.indexOf(p);
      if (i >= 0) body.push(current[i]!);
      else body.push(connectorOf(p));
    }
    // connectors we were not told about keep their relative order at the end
    current.forEach((c, i) => {
      if (!order.includes(names[i]!)) body.push(c);
    });
    await deps.http.request({ service: SERVICE, method: 'POST', url, headers: headers(), body, idempotencyKey: key, signal });
  }

  function connectorOf(p: string): Connector {
    const pc = deps.config.providers[p];
    return { connector: pc?.kind ?? p, ...(pc?.connector_id ? { merchant_connector_id: pc.connector_id } : {}) };
  }

  const profile = cfg.profile_id ? { profile_id: cfg.profile_id } : {};

  /** Everything to the first of `order`: the fallback order, with any volume split deactivated (it would keep deciding). */
  async function writeWhole(order: string[], key: string, signal?: AbortSignal): Promise<void> {
    const known = fresh(lastActive);
    lastActive = undefined;
    await writeOrder(order, key, signal);
    const active = known ? known.value : await activeSplit(signal);
    lastActive = undefined;
    if (!deps.dryRun && active) {
      await deps.http.request({
        service: SERVICE,
        method: 'POST',
        url: `${base}/routing/deactivate`,
        headers: headers(),
        body: { ...profile },
        idempotencyKey: `${key}-deactivate`,
        signal,
      });
    }
  }

  async function writeSplit(split: Split, target: string, key: string, signal?: AbortSignal): Promise<void> {
    if (split.length === 1) {
      const names = orderFromValue(deps.config, fresh(lastRead)?.list ?? (await readRaw(signal))) ?? [];
      const to = split[0]!.provider;
      return writeWhole([to, ...names.filter((p) => p !== to)], key, signal);
    }
    lastActive = undefined;
    lastRead = undefined;
    const created = await deps.http.request<unknown>({
      service: SERVICE,
      method: 'POST',
      url: `${base}/routing`,
      headers: headers(),
      body: {
        name: `payctl ${target} ${split.find((s) => s.provider === target)?.percent ?? 0}%`,
        description: `payctl: ${split.map((s) => `${s.provider} ${s.percent}%`).join(', ')} (${key})`,
        ...profile,
        algorithm: { type: 'volume_split', data: split.map((s) => ({ split: s.percent, output: connectorOf(s.provider) })) },
      },
      idempotencyKey: key,
      signal,
    });
    if (deps.dryRun) return; // printed, not created: nothing to activate
    const id = (created.data as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') throw new OperationError(`${SERVICE}: POST ${base}/routing did not return the new algorithm's id`);
    await deps.http.request({
      service: SERVICE,
      method: 'POST',
      url: `${base}/routing/${encodeURIComponent(id)}/activate`,
      headers: headers(),
      idempotencyKey: `${key}-activate`,
      signal,
    });
  }

  return {
    describe: `hyperswitch at ${cfg.base_url}`,
    async read(signal) {
      const [list, active] = await Promise.all([readRaw(signal), activeSplit(signal)]);
      const order = orderFromValue(deps.config, list) ?? [];
      if (!active) return order;
      const first = active.split.map((s) => s.provider);
      return [...first, ...order.filter((p) => !first.includes(p))];
    },
    write: writeWhole,
    split: {
      async read(signal) {
        // right after read() (the switch reads both): its answers, not two more requests
        const known = fresh(lastActive);
        const active = known ? known.value : await activeSplit(signal);
        if (active) return active.split;
        const order = orderFromValue(deps.config, fresh(lastRead)?.list ?? (await readRaw(signal))) ?? [];
        return order[0] ? whole(order[0]) : [];
      },
      write: writeSplit,
    },
  };
}

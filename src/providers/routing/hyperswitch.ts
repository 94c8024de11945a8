/**
 * Hyperswitch routing (v1): the merchant's fallback connector order.
 *   GET  {base}/routing/default   → [{ connector, merchant_connector_id }, …]
 *   POST {base}/routing/default   ← the same list, reordered
 * Header `api-key`. Provider names map to connectors by providers.<p>.connector_id,
 * then the connector name (the provider name or its kind). A write keeps each
 * connector's entry (ids and any other fields) as the read before it returned it.
 */
import { OperationError } from '../../errors.js';
import { resolveSecret } from '../../secrets.js';
import type { RoutingAdapter } from '../../config/schema.js';
import { orderFromValue, type Routing, type RoutingDeps } from './index.js';

type HyperswitchConfig = Extract<RoutingAdapter, { type: 'hyperswitch' }>;
interface Connector {
  connector: string;
  merchant_connector_id?: string;
  [k: string]: unknown;
}

const SERVICE = 'hyperswitch routing';
const FRESH_MS = 1000;

export function hyperswitchRouting(cfg: HyperswitchConfig, deps: RoutingDeps): Routing {
  const url = `${cfg.base_url.replace(/\/+$/, '')}/routing/default`;
  const headers = () => ({ 'api-key': resolveSecret(cfg.api_key, 'routing.adapter.api_key', deps.env) });

  /**
   * The list the last read returned: a write right after a read (a second, at
   * most) builds on it instead of reading again. After anything longer (a
   * person asked whether to roll back) the write reads again.
   */
  let lastRead: { list: Connector[]; at: number } | undefined;

  async function readRaw(signal?: AbortSignal): Promise<Connector[]> {
    const res = await deps.http.request<unknown>({ service: SERVICE, url, headers: headers(), signal });
    const list = Array.isArray(res.data) ? res.data : undefined;
    if (!list?.every((c) => c && typeof c === 'object' && typeof (c as Connector).connector === 'string')) {
      throw new OperationError(`${SERVICE}: GET ${url} did not return a connector list ([{connector, merchant_connector_id}, …])`);
    }
    lastRead = { list: list as Connector[], at: Date.now() };
    return lastRead.list;
  }

  return {
    describe: `hyperswitch at ${cfg.base_url}`,
    async read(signal) {
      return orderFromValue(deps.config, await readRaw(signal)) ?? [];
    },
    async write(order, key, signal) {
      const fresh = lastRead && Date.now() - lastRead.at <= FRESH_MS ? lastRead.list : undefined;
      lastRead = undefined;
      const current = fresh ?? (await readRaw(signal));
      const names = orderFromValue(deps.config, current) ?? [];
      const body: Connector[] = [];
      for (const p of order) {
        const i = names.indexOf(p);
        if (i >= 0) body.push(current[i]!);
        else {
          const pc = deps.config.providers[p];
          body.push({ connector: pc?.kind ?? p, ...(pc?.connector_id ? { merchant_connector_id: pc.connector_id } : {}) });
        }
      }
      // connectors we were not told about keep their relative order at the end
      current.forEach((c, i) => {
        if (!order.includes(names[i]!)) body.push(c);
      });
      await deps.http.request({ service: SERVICE, method: 'POST', url, headers: headers(), body, idempotencyKey: key, signal });
    },
  };
}

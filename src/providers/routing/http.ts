/**
 * Routing through a merchant's own service or feature-flag API: one templated
 * write request and one templated read-back whose JSON `path` gives the active
 * provider or the order. Template values: to, from, order (comma-separated),
 * order_json, providers, key. Header values may be env:NAME.
 * With `split:` it sends shares too: a templated request (values to, share,
 * from, split, split_json, shares, key) whose shares the read request returns
 * at `split.read_path`.
 */
import { OperationError } from '../../errors.js';
import { isSecretRef, resolveSecret } from '../../secrets.js';
import { renderDeep } from '../../template/engine.js';
import type { RoutingAdapter } from '../../config/schema.js';
import { orderFromValue, providerForConnector, routingScope, splitScope, valueAtPath, type Routing, type RoutingDeps } from './index.js';
import { splitFromValue, whole, type Split } from './split.js';

type HttpRoutingConfig = Extract<RoutingAdapter, { type: 'http' }>;

const SERVICE = 'routing service';

function secretHeaders(h: Record<string, string> | undefined, env: NodeJS.ProcessEnv, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k] = isSecretRef(v) ? resolveSecret(v, `${where}.headers.${k}`, env) : v;
  return out;
}

function resolveUrl(url: string, env: NodeJS.ProcessEnv, where: string): string {
  return isSecretRef(url) ? resolveSecret(url, where, env) : url;
}

export function httpRouting(cfg: HttpRoutingConfig, deps: RoutingDeps): Routing {
  async function readDoc(signal?: AbortSignal): Promise<unknown> {
    const spec = await renderDeep(cfg.read, { key: '' }, 'routing.adapter.read');
    const res = await deps.http.request<unknown>({
      service: SERVICE,
      method: spec.method,
      url: resolveUrl(spec.url, deps.env, 'routing.adapter.read.url'),
      headers: secretHeaders(spec.headers, deps.env, 'routing.adapter.read'),
      body: spec.body,
      signal,
    });
    return res.data;
  }
  const splitCfg = cfg.split;
  return {
    describe: `routing service at ${new URL(resolveUrlSafe(cfg.read.url)).origin}`,
    ...(splitCfg
      ? {
          split: {
            async read(signal?: AbortSignal): Promise<Split> {
              const doc = await readDoc(signal);
              const value = valueAtPath(doc, splitCfg.read_path);
              const split = splitFromValue(value, (c, id) => providerForConnector(deps.config, c, id));
              if (split) return split;
              // no shares there: everything goes to the active provider
              const order = orderFromValue(deps.config, valueAtPath(doc, cfg.read.path));
              const empty = value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0);
              if (empty && order?.[0]) return whole(order[0]);
              throw new OperationError(
                `${SERVICE}: the read-back has no shares at "${splitCfg.read_path}" (found ${JSON.stringify(value)?.slice(0, 80) ?? 'nothing'})`,
                'routing.adapter.split.read_path must point at {provider: percent} or [{provider, percent}] summing to 100',
              );
            },
            async write(split: Split, target: string, key: string, signal?: AbortSignal): Promise<void> {
              const scope = splitScope(split, target, key);
              const spec = await renderDeep(wholeValues(splitCfg, scope), scope, 'routing.adapter.split');
              await deps.http.request({
                service: SERVICE,
                method: spec.method,
                url: resolveUrl(spec.url, deps.env, 'routing.adapter.split.url'),
                headers: secretHeaders(spec.headers, deps.env, 'routing.adapter.split'),
                body: spec.body,
                idempotencyKey: key,
                signal,
              });
            },
          },
        }
      : {}),
    async read(signal) {
      const value = valueAtPath(await readDoc(signal), cfg.read.path);
      const order = orderFromValue(deps.config, value);
      if (!order) {
        throw new OperationError(
          `${SERVICE}: the read-back has no provider at "${cfg.read.path}" (found ${JSON.stringify(value)?.slice(0, 80) ?? 'nothing'})`,
          'routing.adapter.read.path must point at a provider name or a list of them',
        );
      }
      return order;
    },
    async write(order, key, signal) {
      const spec = await renderDeep(cfg.write, routingScope(order, key), 'routing.adapter.write');
      await deps.http.request({
        service: SERVICE,
        method: spec.method,
        url: resolveUrl(spec.url, deps.env, 'routing.adapter.write.url'),
        headers: secretHeaders(spec.headers, deps.env, 'routing.adapter.write'),
        body: spec.body,
        idempotencyKey: key,
        signal,
      });
    },
  };
}

function resolveUrlSafe(url: string): string {
  try {
    return new URL(url).toString();
  } catch {
    return 'http://routing.invalid';
  }
}

/**
 * A body string that is exactly one `{{ name }}` of a value that is not a
 * string (shares, split_json's list, share) becomes that value itself, so a
 * JSON body gets an object or a number, not its text.
 */
function wholeValues<T>(spec: T, scope: Record<string, unknown>): T {
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const m = /^\{\{\s*([a-z_]+)\s*\}\}$/.exec(v.trim());
      const value = m ? scope[m[1]!] : undefined;
      return value !== undefined && typeof value !== 'string' ? value : v;
    }
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    return v;
  };
  const s = spec as { body?: unknown };
  return { ...spec, ...(s.body !== undefined ? { body: visit(s.body) } : {}) };
}

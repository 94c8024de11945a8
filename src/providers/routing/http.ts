/**
 * Routing through a merchant's own service or feature-flag API: one templated
 * write request and one templated read-back whose JSON `path` gives the active
 * provider or the order. Template values: to, from, order (comma-separated),
 * order_json, providers, key. Header values may be env:NAME.
 */
import { OperationError } from '../../errors.js';
import { isSecretRef, resolveSecret } from '../../secrets.js';
import { renderDeep } from '../../template/engine.js';
import type { RoutingAdapter } from '../../config/schema.js';
import { orderFromValue, routingScope, valueAtPath, type Routing, type RoutingDeps } from './index.js';

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
  return {
    describe: `routing service at ${new URL(resolveUrlSafe(cfg.read.url)).origin}`,
    async read(signal) {
      const spec = await renderDeep(cfg.read, { key: '' }, 'routing.adapter.read');
      const res = await deps.http.request<unknown>({
        service: SERVICE,
        method: spec.method,
        url: resolveUrl(spec.url, deps.env, 'routing.adapter.read.url'),
        headers: secretHeaders(spec.headers, deps.env, 'routing.adapter.read'),
        body: spec.body,
        signal,
      });
      const value = valueAtPath(res.data, cfg.read.path);
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

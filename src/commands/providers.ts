/**
 * payctl providers: the configured providers, their role (primary, backup),
 * where traffic goes now (read from the routing adapter) and their status,
 * all read concurrently. `providers report` lives in report.ts.
 */
import type { Context } from '../context.js';
import { InvalidInputError, messageOf } from '../errors.js';
import { httpClientFor } from '../providers/http.js';
import { checkHealth } from '../providers/health.js';
import { createRouting } from '../providers/routing/index.js';
import { describeSplit, normalizeSplit, shareOf, type Split } from '../providers/routing/split.js';
import { formatTable } from '../ui/table.js';

export async function providers(ctx: Context): Promise<void> {
  const loaded = ctx.config();
  const { config } = loaded;
  if (Object.keys(config.providers).length === 0)
    throw new InvalidInputError('no providers are configured', 'add providers: to payctl.config.yaml');
  const http = httpClientFor(ctx, { dryRun: false });
  const routingRead = (async (): Promise<{ order: string[] | null; split?: Split; error?: string; via?: string }> => {
    if (!config.routing?.adapter) return { order: null, error: 'no routing adapter configured' };
    try {
      const r = await createRouting({ config, http, env: ctx.env, dryRun: false, log: (t) => ctx.out.info(t), timeoutMs: http.timeoutMs });
      const [order, read] = await Promise.all([r.read(), r.split?.read()]);
      // shares only when traffic is split between providers
      const split = read ? normalizeSplit(read) : [];
      return { order, via: r.describe, ...(split.length > 1 ? { split } : {}) };
    } catch (e) {
      return { order: null, error: messageOf(e) };
    }
  })();
  const [snap, routing] = await Promise.all([
    checkHealth({ config, configDir: loaded.dir, http, env: ctx.env, now: () => ctx.clock.now() }),
    routingRead,
  ]);
  const active = routing.order?.[0] ?? null;
  const rows = snap.providers.map((p) => ({
    name: p.provider,
    kind: config.providers[p.provider]!.kind,
    role: p.role,
    enabled: p.enabled,
    receives_traffic: routing.split ? shareOf(routing.split, p.provider) > 0 : active === p.provider,
    ...(routing.split ? { share: shareOf(routing.split, p.provider) } : {}),
    priority: routing.order ? routing.order.indexOf(p.provider) + 1 || null : null,
    status: p.status,
    ...(p.error ? { error: p.error } : {}),
  }));
  if (ctx.out.jsonMode) {
    ctx.out.json({
      traffic: {
        active,
        order: routing.order,
        ...(routing.split ? { split: routing.split } : {}),
        ...(routing.via ? { via: routing.via } : {}),
        ...(routing.error ? { error: routing.error } : {}),
      },
      providers: rows,
    });
    return;
  }
  const c = ctx.out.color;
  const table = [
    ['PROVIDER', 'KIND', 'ROLE', 'TRAFFIC', 'STATUS'],
    ...rows.map((r) => [
      r.name,
      r.kind,
      r.enabled ? r.role : `${r.role} (disabled)`,
      r.share ? `◀ ${r.share}%` : r.receives_traffic ? '◀ now' : r.priority ? `#${r.priority}` : '',
      r.error ? `${r.status} (${r.error})` : r.status,
    ]),
  ];
  (await formatTable(table)).forEach((line, i) => ctx.out.line(i === 0 ? c.bold(line) : line));
  ctx.out.line('');
  for (const p of snap.providers) for (const w of p.warnings ?? []) ctx.out.warn(w);
  if (routing.split) ctx.out.line(`traffic: split ${describeSplit(routing.split)} (${routing.via})`);
  else if (routing.order) ctx.out.line(`traffic: ${routing.order.join(' → ')} (${routing.via})`);
  else ctx.out.line(`traffic: unknown (${routing.error})`);
  if (routing.split && config.routing)
    ctx.out.line(
      c.yellow(
        `traffic is split (${describeSplit(routing.split)}), not all on the primary ${config.routing.primary}: payctl failback moves it back`,
      ),
    );
  else if (active && config.routing && active !== config.routing.primary)
    ctx.out.line(c.yellow(`traffic is on ${active}, not the primary ${config.routing.primary}: payctl failback moves it back`));
}

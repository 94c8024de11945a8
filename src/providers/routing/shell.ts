/**
 * Routing through commands the team already has (a CLI, a script), run with
 * execa as argument lists: never through a shell, and each template value is
 * one argument whatever it contains. Template values: to, from, order
 * (comma-separated), order_json, providers, key.
 * The read command prints the active provider (first line) or a JSON list,
 * or the shares ({"adyen": 90, "stripe": 10} or adyen=90,stripe=10). With
 * `split:` it sends shares too (values to, share, from, split, split_json, key).
 */
import { OperationError } from '../../errors.js';
import { redact } from '../../secrets.js';
import { renderString } from '../../template/engine.js';
import type { RoutingAdapter } from '../../config/schema.js';
import { orderFromValue, providerForConnector, routingScope, splitScope, type Routing, type RoutingDeps } from './index.js';
import { leader, splitFromValue, whole, type Split } from './split.js';

type ShellRoutingConfig = Extract<RoutingAdapter, { type: 'shell' }>;

async function run(argv: string[], deps: RoutingDeps, signal?: AbortSignal): Promise<string> {
  const { execa } = await import('execa');
  const [file, ...args] = argv;
  const r = await execa(file!, args, {
    shell: false,
    reject: false,
    timeout: deps.timeoutMs,
    cancelSignal: signal,
    stdin: 'ignore',
    env: deps.env,
  });
  if (r.timedOut) throw new OperationError(`routing command ${file} did not finish within ${Math.round(deps.timeoutMs / 1000)}s`);
  if (r.failed || r.exitCode !== 0) {
    const why = r.exitCode !== undefined ? `exited ${r.exitCode}` : (r.shortMessage ?? 'failed');
    const err = String(r.stderr ?? '')
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    throw new OperationError(redact(`routing command ${file} ${why}${err ? `: ${err}` : ''}`));
  }
  return String(r.stdout ?? '');
}

export function shellRouting(cfg: ShellRoutingConfig, deps: RoutingDeps): Routing {
  const splitArgv = cfg.split;
  const readShares = async (signal?: AbortSignal): Promise<{ split?: Split; out: string }> => {
    const out = (await run(cfg.read, deps, signal)).trim();
    const first = out.startsWith('[') || out.startsWith('{') ? out : (out.split('\n')[0] ?? '').trim();
    return { split: splitFromValue(first, (c, id) => providerForConnector(deps.config, c, id)), out: first };
  };
  return {
    describe: `command ${cfg.write[0]}`,
    ...(splitArgv
      ? {
          split: {
            async read(signal?: AbortSignal): Promise<Split> {
              const { split, out } = await readShares(signal);
              if (split) return split;
              const order = orderFromValue(deps.config, out);
              if (!order?.[0])
                throw new OperationError(
                  `routing read command ${cfg.read[0]} printed neither shares nor a provider (got ${JSON.stringify(out.slice(0, 80))})`,
                );
              return whole(order[0]);
            },
            async write(split: Split, target: string, key: string, signal?: AbortSignal): Promise<void> {
              const scope = splitScope(split, target, key);
              const argv = await Promise.all(splitArgv.map((a, i) => renderString(a, scope, `routing.adapter.split[${i}]`)));
              if (deps.dryRun) {
                deps.log(redact(`[dry-run] would run ${JSON.stringify(argv)}`));
                return;
              }
              await run(argv, deps, signal);
            },
          },
        }
      : {}),
    async read(signal) {
      const { split, out: first } = await readShares(signal);
      if (split) return [leader(split)!, ...split.slice(1).map((s) => s.provider)];
      const order = orderFromValue(deps.config, first);
      if (!order || order.length === 0)
        throw new OperationError(
          `routing read command ${cfg.read[0]} printed no provider (expected a name or a JSON list, got ${JSON.stringify(first.slice(0, 80))})`,
        );
      return order;
    },
    async write(order, key, signal) {
      const scope = routingScope(order, key);
      const argv = await Promise.all(cfg.write.map((a, i) => renderString(a, scope, `routing.adapter.write[${i}]`)));
      if (deps.dryRun) {
        deps.log(redact(`[dry-run] would run ${JSON.stringify(argv)}`));
        return;
      }
      await run(argv, deps, signal);
    },
  };
}

/**
 * `GET /metrics`: the traffic simulation's payment counters in the Prometheus
 * text exposition format (version 0.0.4), for a real Prometheus to scrape:
 *   payments_attempted_total{provider}
 *   payments_succeeded_total{provider}
 *   payments_declined_total{provider, code}
 * Counters are whole payments (the simulation's running totals, rounded down).
 */
import type { Reply } from './http.js';
import type { World } from './world.js';

const HELP: Record<string, string> = {
  payments_attempted_total: 'Card payments attempted, by the provider they were routed to.',
  payments_succeeded_total: 'Card payments authorised, by provider.',
  payments_declined_total: 'Card payments declined or failed, by provider and decline code.',
};

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function exposition(world: World): string {
  const counters = world.simulation.countersNow();
  const lines: string[] = [];
  const family = (name: string, rows: [Record<string, string>, number][]) => {
    lines.push(`# HELP ${name} ${HELP[name]}`, `# TYPE ${name} counter`);
    for (const [labels, v] of rows) {
      const l = Object.entries(labels)
        .map(([k, x]) => `${k}="${label(x)}"`)
        .join(',');
      lines.push(`${name}{${l}} ${Math.floor(v)}`);
    }
  };
  const providers = [...counters.keys()];
  family(
    'payments_attempted_total',
    providers.map((p) => [{ provider: p }, counters.get(p)!.attempted]),
  );
  family(
    'payments_succeeded_total',
    providers.map((p) => [{ provider: p }, counters.get(p)!.succeeded]),
  );
  family(
    'payments_declined_total',
    providers.flatMap((p) =>
      Object.entries(counters.get(p)!.declined)
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([code, v]): [Record<string, string>, number] => [{ provider: p, code }, v]),
    ),
  );
  return `${lines.join('\n')}\n`;
}

export function metricsReply(world: World): Reply {
  return { status: 200, body: exposition(world), contentType: 'text/plain; version=0.0.4; charset=utf-8' };
}

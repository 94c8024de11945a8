/**
 * A drill's expectations (the playbook's `drill.expect`), checked against what
 * really happened: the incident's timeline (replayed state) and the requests
 * the sandbox received. Each check reports what it observed, pass or fail.
 */
import type { DrillSpec } from '../playbook/schema.js';
import type { IncidentState } from '../timeline/replay.js';
import type { NotifyResult, QueryMetricsResult, SwitchProviderResult, EscalateResult } from '../timeline/results.js';
import { formatDuration, parseDuration } from '../duration.js';

export interface ExpectationResult {
  name: string;
  expected: string;
  observed: string;
  pass: boolean;
}

/** The part of a sandbox request that the checks read. */
export interface SeenRequest {
  method: string;
  path: string;
  body?: unknown;
}

export function checkExpectations(expect: DrillSpec['expect'], state: IncidentState, requests: SeenRequest[]): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const steps = state.step_order.map((id) => state.steps[id]!);
  const opened = Date.parse(state.opened_at);
  const switches = steps
    .filter((s) => s.type === 'switch_provider' && s.status === 'ok' && s.result)
    .map((s) => ({ at: Date.parse(s.ended_at ?? s.started_at), r: s.result as unknown as SwitchProviderResult }));

  if (expect.traffic_on) {
    const target = expect.traffic_on;
    const hit = switches.find((s) => s.r.to === target && s.r.verified);
    const limit = expect.within ? parseDuration(expect.within) : undefined;
    const routed = requests.some((r) => r.method === 'POST' && r.path.endsWith('/routing/default') && firstConnector(r.body) === target);
    const took = hit ? hit.at - opened : undefined;
    const inTime = took !== undefined && (limit === undefined || took <= limit);
    out.push({
      name: 'traffic_on',
      expected: `traffic on ${target}${expect.within ? ` within ${expect.within}` : ''}, verified`,
      observed: hit
        ? `switched to ${target} after ${formatDuration(took!)}, verified${routed ? '; the routing service received it' : '; but the routing service never received it'}`
        : 'no verified switch to ' + target,
      pass: Boolean(hit) && inTime && routed,
    });
  }

  if (expect.notified) {
    const sent = new Map<string, boolean>();
    for (const s of steps) {
      if (s.type !== 'notify' || !s.result) continue;
      for (const [ch, res] of Object.entries((s.result as unknown as NotifyResult).channels ?? {})) {
        sent.set(ch, (sent.get(ch) ?? false) || res.ok);
      }
    }
    for (const ch of expect.notified) {
      out.push({
        name: `notified:${ch}`,
        expected: `customers/team notified on ${ch}`,
        observed: sent.get(ch) ? 'sent' : sent.has(ch) ? 'attempted, failed' : 'never attempted',
        pass: sent.get(ch) === true,
      });
    }
  }

  if (expect.escalated) {
    const provider = expect.escalated;
    const escalations = steps.filter(
      (s) => s.type === 'escalate' && s.status === 'ok' && (s.result as unknown as EscalateResult | undefined)?.provider === provider,
    );
    const triggerKeys = new Set(
      requests
        .filter((r) => r.method === 'POST' && r.path.endsWith('/v2/enqueue'))
        .map((r) => r.body as { event_action?: string; dedup_key?: string } | undefined)
        .filter((b) => b?.event_action === 'trigger')
        .map((b) => b!.dedup_key ?? '(none)'),
    );
    out.push({
      name: 'escalated',
      expected: `${provider} escalated, paged exactly once`,
      observed: `${escalations.length} escalate step(s) ok; ${triggerKeys.size} distinct PagerDuty alert(s)`,
      pass: escalations.length > 0 && triggerKeys.size === 1,
    });
  }

  if (expect.success_rate_above !== undefined) {
    const readings = steps
      .filter((s) => s.type === 'query_metrics' && s.result && (s.result as unknown as QueryMetricsResult).metric === 'success_rate')
      .map((s) => (s.result as unknown as QueryMetricsResult).value);
    const last = readings.at(-1);
    out.push({
      name: 'success_rate_above',
      expected: `last success-rate reading above ${pct(expect.success_rate_above)}`,
      observed: last === undefined ? 'no reading recorded' : last === null ? 'no data (NaN)' : pct(last),
      pass: typeof last === 'number' && last > expect.success_rate_above,
    });
  }

  if (expect.failback !== undefined) {
    const back = Boolean(state.milestones.failed_back);
    out.push({
      name: 'failback',
      expected: expect.failback ? 'traffic moved back to the primary' : 'no failback',
      observed: back ? `failed back at ${state.milestones.failed_back}` : 'no failback recorded',
      pass: back === expect.failback,
    });
  }

  if (expect.canary) {
    const canaries = steps.filter((s) => s.type === 'shift_traffic' && (s.status === 'ok' || s.status === 'failed'));
    const last = canaries[canaries.length - 1];
    const stages = (last?.stages ?? []).filter((st) => st.result !== 'switched');
    const seen = stages
      .map((st) => `${st.share}% ${st.result}${typeof st.success_rate === 'number' ? ` at ${(st.success_rate * 100).toFixed(1)}%` : ''}`)
      .join(', ');
    const outcome = last ? (last.status === 'ok' ? 'completed' : 'halted') : undefined;
    out.push({
      name: 'canary',
      expected: `a canary failback that ${expect.canary === 'completed' ? 'completes, every stage held' : 'halts and rolls back'}`,
      observed: last ? `canary ${outcome}${seen ? `: ${seen}` : ''}` : 'no canary ran',
      pass: outcome === expect.canary && stages.length > 0,
    });
  }

  if (expect.status) {
    out.push({
      name: 'status',
      expected: `incident ${expect.status}`,
      observed: `incident ${state.status}`,
      pass: state.status === expect.status,
    });
  }
  return out;
}

function firstConnector(body: unknown): string | undefined {
  if (!Array.isArray(body)) return undefined;
  const first = body[0] as { connector?: string } | string | undefined;
  return typeof first === 'string' ? first : first?.connector;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

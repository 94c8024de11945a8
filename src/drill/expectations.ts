/**
 * A drill's expectations (the playbook's `drill.expect`, or a scenario's),
 * checked against what really happened: the incident's timeline (replayed
 * state), the requests the sandbox received and the success rate its traffic
 * simulation gave customers. Each check reports what it observed, pass or fail.
 */
import type { DrillExpect } from '../playbook/schema.js';
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

/** What the sandbox saw: its requests, and customers' overall success rate over time. */
export interface SandboxObservations {
  requests: SeenRequest[];
  /** Customers' lowest overall success rate between two times (epoch ms). */
  lowestSuccessRate(from: number, to: number): { rate: number; at: string } | undefined;
}

export function checkExpectations(expect: DrillExpect, state: IncidentState, seen: SandboxObservations): ExpectationResult[] {
  const { requests } = seen;
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

  const canaries = steps.filter((s) => s.type === 'shift_traffic' && (s.status === 'ok' || s.status === 'failed'));
  const canary = canaries[canaries.length - 1];

  if (expect.canary) {
    const stages = (canary?.stages ?? []).filter((st) => st.result !== 'switched');
    const seenStages = stages
      .map((st) => `${st.share}% ${st.result}${typeof st.success_rate === 'number' ? ` at ${pct(st.success_rate)}` : ''}`)
      .join(', ');
    const outcome = canary ? (canary.status === 'ok' ? 'completed' : 'halted') : undefined;
    const halt = stages.find((st) => st.result === 'halted');
    let pass = outcome === expect.canary && stages.length > 0;
    let why = '';
    if (pass && expect.canary === 'halted') {
      // halted on evidence (a reading below the threshold over enough payments), and the routing rolled back
      const r = (canary!.result ?? {}) as { min_success_rate?: number; min_attempts?: number };
      const onEvidence =
        typeof halt?.success_rate === 'number' &&
        (r.min_success_rate === undefined || halt.success_rate < r.min_success_rate) &&
        (r.min_attempts === undefined || (halt.attempts ?? 0) >= r.min_attempts);
      if (!onEvidence) why = `; not on a low success rate (${halt?.reason ?? 'no reason recorded'})`;
      else if (!halt!.rolled_back_to) why = '; the rollback was not recorded';
      else why = `; rolled back to ${halt!.rolled_back_to.map((s) => `${s.provider} ${s.percent}%`).join(', ')}`;
      pass = onEvidence && Boolean(halt!.rolled_back_to);
    }
    out.push({
      name: 'canary',
      expected: `a canary failback that ${expect.canary === 'completed' ? 'completes, every stage held' : 'halts on a low success rate and rolls back'}`,
      observed: canary ? `canary ${outcome}${seenStages ? `: ${seenStages}` : ''}${why}` : 'no canary ran',
      pass,
    });
  }

  if (expect.canary_customers_above !== undefined) {
    const threshold = expect.canary_customers_above;
    const from = canary ? Date.parse(canary.started_at) : Number.NaN;
    const to = canary ? Date.parse(canary.ended_at ?? canary.started_at) : Number.NaN;
    const low = canary ? seen.lowestSuccessRate(from, to) : undefined;
    out.push({
      name: 'canary_customers_above',
      expected: `customers' overall success rate above ${pct(threshold)} throughout the canary`,
      observed: !canary
        ? 'no canary ran'
        : low
          ? `lowest ${pct(low.rate)} at ${low.at.slice(11, 19)} (over ${formatDuration(to - from)})`
          : 'no reading over the canary',
      pass: low !== undefined && low.rate > threshold,
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

/**
 * Response metrics, computed from milestones. The definitions are data: each
 * metric names the two points it spans and says so in words next to the
 * number. A missing point gives "not recorded", never a guess.
 */
import type { IncidentState } from '../timeline/replay.js';
import type { Facts } from './facts.js';
import { between, earliest, showDuration, toMs } from './time.js';

export type PointName = 'impact_start' | 'detected' | 'acknowledged' | 'mitigated' | 'resolved' | 'failed_back';

export interface ReferencePoints {
  opened: string;
  /** The first recorded sign of the problem (see IMPACT_START_DEFINITION). */
  impact_start: string;
  impact_start_source: string;
  detected?: string;
  acknowledged?: string;
  mitigated?: string;
  resolved?: string;
  failed_back?: string;
  /** Time of the last event. */
  last_event: string;
}

export const IMPACT_START_DEFINITION =
  'the earliest of: a provider status-page incident that was open while its status was not operational (created at most an hour before the incident opened, or affecting a component read as not operational), a non-operational status reading, a success-rate reading below the threshold, the detected milestone, and the incident opening';

export interface MetricDefinition {
  key: string;
  label: string;
  from: PointName;
  to: PointName;
  definition: string;
}

export const RESPONSE_METRICS: readonly MetricDefinition[] = [
  {
    key: 'time_to_detect',
    label: 'Time to detect',
    from: 'impact_start',
    to: 'detected',
    definition: `From the first recorded sign of the problem (${IMPACT_START_DEFINITION}) to the detected milestone.`,
  },
  {
    key: 'time_to_acknowledge',
    label: 'Time to acknowledge',
    from: 'detected',
    to: 'acknowledged',
    definition: 'From the detected milestone to the acknowledged milestone (a responder took the incident).',
  },
  {
    key: 'time_to_mitigate',
    label: 'Time to mitigate',
    from: 'detected',
    to: 'mitigated',
    definition:
      'From the detected milestone to the mitigated milestone (customer impact stopped, e.g. traffic verified on a working provider).',
  },
  {
    key: 'time_to_resolve',
    label: 'Time to resolve',
    from: 'detected',
    to: 'resolved',
    definition: 'From the detected milestone to the resolved milestone (the last resolution, when the incident was reopened).',
  },
  {
    key: 'time_to_fail_back',
    label: 'Time to fail back',
    from: 'detected',
    to: 'failed_back',
    definition: 'From the detected milestone to the failed_back milestone (traffic back on the primary provider).',
  },
];

export interface MetricValue {
  key: string;
  label: string;
  definition: string;
  from_at?: string;
  to_at?: string;
  /** null when a point is missing. */
  ms: number | null;
  value: string;
  note?: string;
}

const NOT_OPERATIONAL = (status: string) => status !== 'operational' && status !== 'unknown';

export function referencePoints(state: IncidentState, facts: Facts, threshold: number): ReferencePoints {
  const m = state.milestones;
  // the earliest sign, found without allocating one record per reading (timelines can be long)
  let bestMs = toMs(state.opened_at) ?? Infinity;
  let best = { at: state.opened_at, source: 'the incident was opened' };
  const consider = (at: string, source: () => string) => {
    const t = toMs(at);
    if (t !== undefined && t < bestMs) {
      bestMs = t;
      best = { at, source: source() };
    }
  };
  if (m.detected) consider(m.detected, () => 'the detected milestone');
  for (const c of facts.checks) {
    if (!NOT_OPERATIONAL(c.status)) continue;
    consider(c.at, () => `${c.provider} status read as ${c.status}`);
    for (const i of c.incidents) consider(i.created_at, () => `${c.provider}'s status page opened "${i.name}"`);
  }
  for (const r of facts.readings)
    if (r.value < threshold) consider(r.at, () => `success rate ${(r.value * 100).toFixed(1)}% (below ${(threshold * 100).toFixed(0)}%)`);
  const first = best;
  return {
    opened: state.opened_at,
    impact_start: earliest([first.at]) ?? state.opened_at,
    impact_start_source: first.source,
    detected: m.detected,
    acknowledged: m.acknowledged,
    mitigated: m.mitigated,
    resolved: m.resolved,
    failed_back: m.failed_back,
    last_event: state.updated_at,
  };
}

/** Every response metric. Without a detected milestone the others are measured from the incident opening, and say so. */
export function responseMetrics(points: ReferencePoints): MetricValue[] {
  return RESPONSE_METRICS.map((def) => {
    let fromAt = points[def.from];
    let note: string | undefined;
    if (def.from === 'detected' && !fromAt) {
      fromAt = points.opened;
      note = 'no detected milestone: measured from the incident opening';
    }
    const toAt = points[def.to];
    const ms = between(fromAt, toAt);
    if (!toAt) note = `no ${def.to.replace('_', ' ')} milestone in the timeline`;
    else if (!fromAt) note = `no ${def.from.replace('_', ' ')} point in the timeline`;
    else if (def.from === 'impact_start' && ms !== undefined && ms <= 0)
      note = `no sign of the problem was recorded before detection (start: ${points.impact_start_source})`;
    return {
      key: def.key,
      label: def.label,
      definition: def.definition,
      from_at: fromAt,
      to_at: toAt,
      ms: ms ?? null,
      value: ms === undefined ? 'not recorded' : showDuration(ms),
      note,
    };
  });
}

/**
 * Impact: when it started and ended, the customer-facing window, time on a
 * backup provider, the success-rate dip, and (with config.business) the
 * estimated failed orders and revenue at risk, formula shown.
 */
import { formatDuration } from '../duration.js';
import { movedTraffic, type Facts, type Reading } from './facts.js';
import type { ReferencePoints } from './metrics.js';
import { between, formatTime, toMs } from './time.js';
import { percent } from './markdown.js';

export interface Business {
  average_order_value: number;
  orders_per_minute: number;
  currency: string;
}

export interface Impact {
  start: string;
  start_source: string;
  end?: string;
  end_display: string;
  open: boolean;
  duration_ms: number | null;
  duration: string;
  customer_window: { from: string; to?: string; to_source: string; ms: number | null; display: string; definition: string };
  /** What the success-rate readings say after the mitigated milestone (undefined: not mitigated). */
  recovery?: Recovery;
  backup: {
    ms: number;
    display: string;
    intervals: { provider: string; from: string; to?: string }[];
    still_on_backup: boolean;
    definition: string;
  };
  success_rate: {
    readings: number;
    threshold: number;
    lowest?: { value: number; at: string; display: string };
    highest?: { value: number; at: string; display: string };
    last?: { value: number; at: string; display: string };
    dip_points: number | null;
    display: string;
    definition: string;
  };
  business?: {
    currency: string;
    window_minutes: number;
    failure_share: number | null;
    failure_share_source: string;
    failed_orders: number | null;
    revenue_at_risk: number | null;
    upper_bound_orders: number;
    upper_bound_revenue: number;
    formula: string;
  };
}

export interface Recovery {
  mitigated_at: string;
  /** Where traffic went at mitigation (the last switch that moved it), when known. */
  target?: string;
  /** Success-rate readings taken after mitigation (of the provider receiving traffic, or overall). */
  readings_after: number;
  /** The first of those at or above the threshold. */
  recovered_at?: string;
  recovered_value?: number;
  /** Readings after mitigation below the threshold, before recovery: mitigation did not stop the impact. */
  below?: { readings: number; lowest: number; highest: number; until: string; ms: number; recovered: boolean };
}

export const CUSTOMER_WINDOW_DEFINITION =
  'From the start of impact to the first success-rate reading at or above the threshold after the mitigated milestone; to the milestone itself when no reading was taken after it; to resolution when the incident was never mitigated or the success rate never recovered.';
export const BACKUP_DEFINITION =
  'Total time traffic was routed to a provider other than the primary, from each verified switch away to the next switch back (or the end of the record).';
export const SUCCESS_RATE_DEFINITION =
  'From the recorded success-rate readings (query_metrics steps): the dip is the highest reading minus the lowest, in percentage points. The estimate below uses only customer-facing readings: overall ones, and those of the provider receiving traffic at the time.';

function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function money(n: number, currency: string): string {
  return `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
}

export function computeImpact(
  points: ReferencePoints,
  facts: Facts,
  opts: { primary?: string; threshold: number; business?: Business; open: boolean },
): Impact {
  const start = points.impact_start;
  const end = points.resolved;
  const duration = between(start, end ?? points.last_event);
  const felt = customerReadings(facts);
  const recovery = points.mitigated ? recoveryAfter(points.mitigated, facts, felt, opts.threshold) : undefined;
  const { end: windowEnd, source: windowSource } = customerWindowEnd(points, recovery, opts.threshold);
  const windowMs = between(start, windowEnd);
  const impact: Impact = {
    start,
    start_source: points.impact_start_source,
    end,
    end_display: end ? formatTime(end) : `still open (last event ${formatTime(points.last_event)})`,
    open: opts.open,
    duration_ms: end ? (duration ?? null) : null,
    duration: end ? formatDuration(duration ?? 0) : `ongoing: ${formatDuration(duration ?? 0)} so far`,
    customer_window: {
      from: start,
      to: windowEnd,
      to_source: windowSource,
      ms: windowMs ?? null,
      display:
        windowMs !== undefined
          ? `${formatDuration(windowMs)} (${formatTime(start)} to ${formatTime(windowEnd)}: ${windowSource})`
          : `not recorded: ${windowSource} (at least ${formatDuration(between(start, points.last_event) ?? 0)} up to the last event)`,
      definition: CUSTOMER_WINDOW_DEFINITION,
    },
    recovery,
    backup: backupTime(facts, opts.primary, end ?? points.last_event),
    success_rate: successRate(facts.readings, opts.threshold),
  };
  if (opts.business) impact.business = businessImpact(opts.business, start, windowEnd ?? points.last_event, felt);
  return impact;
}

/** The provider receiving traffic at each time, from the switches that moved it (undefined when none did). */
function trafficAt(facts: Facts): (ms: number) => string | undefined {
  const moves = facts.switches.filter(movedTraffic).map((s) => ({ at: toMs(s.at) ?? 0, to: s.to }));
  const initial = facts.switches.find(movedTraffic)?.from ?? undefined;
  return (ms) => {
    let to = initial;
    for (const m of moves) if (m.at <= ms) to = m.to;
    return to;
  };
}

/**
 * The readings customers felt: overall ones, and per-provider ones of the
 * provider receiving traffic at the time (a failed primary's own success rate
 * after the failover is not what customers saw).
 */
export function customerReadings(facts: Facts): Reading[] {
  const onTraffic = trafficAt(facts);
  return facts.readings.filter((r) => {
    if (!r.provider) return true;
    const t = toMs(r.at);
    const routed = t === undefined ? undefined : onTraffic(t);
    return !routed || routed === r.provider;
  });
}

/** The success-rate readings after mitigation: did the success rate actually come back? */
export function recoveryAfter(mitigatedAt: string, facts: Facts, readings: Reading[], threshold: number): Recovery {
  const from = toMs(mitigatedAt) ?? 0;
  const target = facts.switches.filter((s) => movedTraffic(s) && (toMs(s.at) ?? Infinity) <= from).pop()?.to;
  const rec: Recovery = { mitigated_at: mitigatedAt, target, readings_after: 0 };
  let lo = Infinity;
  let hi = -Infinity;
  let belowCount = 0;
  let lastBelow: string | undefined;
  for (const r of readings) {
    const t = toMs(r.at);
    if (t === undefined || t < from) continue;
    rec.readings_after++;
    if (r.value >= threshold) {
      rec.recovered_at = r.at;
      rec.recovered_value = r.value;
      break;
    }
    belowCount++;
    lo = Math.min(lo, r.value);
    hi = Math.max(hi, r.value);
    lastBelow = r.at;
  }
  if (belowCount) {
    const until = rec.recovered_at ?? lastBelow!;
    rec.below = {
      readings: belowCount,
      lowest: lo,
      highest: hi,
      until,
      ms: Math.max(0, between(mitigatedAt, until) ?? 0),
      recovered: Boolean(rec.recovered_at),
    };
  }
  return rec;
}

function customerWindowEnd(points: ReferencePoints, rec: Recovery | undefined, threshold: number): { end?: string; source: string } {
  const pct = percent(threshold, 0);
  if (!rec)
    return points.resolved
      ? { end: points.resolved, source: 'never mitigated, so up to the resolved milestone' }
      : { source: 'neither mitigated nor resolved' };
  if (rec.recovered_at) return { end: rec.recovered_at, source: `the first success-rate reading at or above ${pct} after mitigation` };
  if (rec.readings_after === 0) return { end: rec.mitigated_at, source: 'the mitigated milestone, with no success-rate reading after it' };
  return points.resolved
    ? { end: points.resolved, source: `the resolved milestone: the success rate stayed below ${pct} after mitigation` }
    : { source: `the success rate stayed below ${pct} after mitigation and the incident is not resolved` };
}

function backupTime(facts: Facts, primaryOpt: string | undefined, endAt: string): Impact['backup'] {
  const switches = facts.switches.filter(movedTraffic);
  const primary = primaryOpt ?? switches[0]?.from ?? switches[0]?.before[0];
  const intervals: Impact['backup']['intervals'] = [];
  let current: { provider: string; from: string } | undefined;
  for (const s of switches) {
    const toBackup = s.to !== primary;
    if (current) {
      intervals.push({ ...current, to: s.at });
      current = undefined;
    }
    if (toBackup) current = { provider: s.to, from: s.at };
  }
  if (current) intervals.push({ ...current, to: undefined });
  let ms = 0;
  for (const i of intervals) ms += Math.max(0, between(i.from, i.to ?? endAt) ?? 0);
  const still = Boolean(current);
  const display =
    intervals.length === 0
      ? 'none: traffic stayed on the primary provider'
      : `${formatDuration(ms)} on ${[...new Set(intervals.map((i) => i.provider))].join(', ')}${still ? ' (no failback recorded: counted up to the end of the record)' : ''}`;
  return { ms, display, intervals, still_on_backup: still, definition: BACKUP_DEFINITION };
}

function successRate(readings: Reading[], threshold: number): Impact['success_rate'] {
  const base = { readings: readings.length, threshold, definition: SUCCESS_RATE_DEFINITION };
  if (readings.length === 0) return { ...base, dip_points: null, display: 'not recorded: no success-rate readings in the timeline' };
  let lo = readings[0]!;
  let hi = readings[0]!;
  for (const r of readings) {
    if (r.value < lo.value) lo = r;
    if (r.value > hi.value) hi = r;
  }
  const last = readings[readings.length - 1]!;
  const show = (r: Reading) => ({ value: r.value, at: r.at, display: `${percent(r.value)} at ${formatTime(r.at)}` });
  const dip = round((hi.value - lo.value) * 100, 1);
  return {
    ...base,
    lowest: show(lo),
    highest: show(hi),
    last: show(last),
    dip_points: dip,
    display: `lowest ${percent(lo.value)} (${formatTime(lo.at)}), highest ${percent(hi.value)}, last ${percent(last.value)}: a dip of ${dip} percentage points over ${readings.length} reading${readings.length === 1 ? '' : 's'}`,
  };
}

function businessImpact(b: Business, from: string, to: string, readings: Reading[]): NonNullable<Impact['business']> {
  const minutes = round(Math.max(0, between(from, to) ?? 0) / 60_000, 2);
  const f = toMs(from) ?? 0;
  const t = toMs(to) ?? 0;
  const inWindow = readings.filter((r) => {
    const x = toMs(r.at) ?? -1;
    return x >= f && x <= t;
  });
  const upperOrders = round(b.orders_per_minute * minutes);
  const upperRevenue = round(upperOrders * b.average_order_value, 2);
  if (inWindow.length === 0) {
    return {
      currency: b.currency,
      window_minutes: minutes,
      failure_share: null,
      failure_share_source: 'no success-rate reading inside the window, so only an upper bound (every order failed) is given',
      failed_orders: null,
      revenue_at_risk: null,
      upper_bound_orders: upperOrders,
      upper_bound_revenue: upperRevenue,
      formula: `upper bound = orders per minute × window minutes × average order value = ${b.orders_per_minute} × ${minutes} × ${b.average_order_value} = ${money(upperRevenue, b.currency)} (${upperOrders} orders)`,
    };
  }
  const mean = inWindow.reduce((s, r) => s + r.value, 0) / inWindow.length;
  const share = round(1 - mean, 4);
  const failed = round(b.orders_per_minute * minutes * share);
  const revenue = round(failed * b.average_order_value, 2);
  return {
    currency: b.currency,
    window_minutes: minutes,
    failure_share: share,
    failure_share_source: `1 − mean of ${inWindow.length} customer-facing success-rate reading${inWindow.length === 1 ? '' : 's'} inside the window`,
    failed_orders: failed,
    revenue_at_risk: revenue,
    upper_bound_orders: upperOrders,
    upper_bound_revenue: upperRevenue,
    formula: `failed orders = orders per minute × window minutes × (1 − mean success rate) = ${b.orders_per_minute} × ${minutes} × ${share} ≈ ${failed}; revenue at risk = failed orders × average order value = ${failed} × ${b.average_order_value} = ${money(revenue, b.currency)}`,
  };
}

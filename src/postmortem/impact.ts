/**
 * Impact: when it started and ended, the customer-facing window, time on a
 * backup provider, the success-rate dip, and (with config.business) the
 * estimated failed orders and revenue at risk, formula shown.
 */
import { formatDuration } from '../duration.js';
import type { Facts, Reading } from './facts.js';
import type { ReferencePoints } from './metrics.js';
import { between, formatTime, toMs } from './time.js';
import { percent } from './markdown.js';

export interface Business { average_order_value: number; orders_per_minute: number; currency: string }

export interface Impact {
  start: string;
  start_source: string;
  end?: string;
  end_display: string;
  open: boolean;
  duration_ms: number | null;
  duration: string;
  customer_window: { from: string; to?: string; ms: number | null; display: string; definition: string };
  backup: { ms: number; display: string; intervals: { provider: string; from: string; to?: string }[]; still_on_backup: boolean; definition: string };
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

export const CUSTOMER_WINDOW_DEFINITION = 'From the start of impact to the mitigated milestone (or to resolution when the incident was never mitigated).';
export const BACKUP_DEFINITION = 'Total time traffic was routed to a provider other than the primary, from each verified switch away to the next switch back (or the end of the record).';
export const SUCCESS_RATE_DEFINITION = 'From the recorded success-rate readings (query_metrics steps): the dip is the highest reading minus the lowest, in percentage points.';

function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function money(n: number, currency: string): string {
  return `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
}

export function computeImpact(points: ReferencePoints, facts: Facts, opts: { primary?: string; threshold: number; business?: Business; open: boolean }): Impact {
  const start = points.impact_start;
  const end = points.resolved;
  const duration = between(start, end ?? points.last_event);
  const windowEnd = points.mitigated ?? points.resolved;
  const windowMs = between(start, windowEnd);
  const impact: Impact = {
    start,
    start_source: points.impact_start_source,
    end,
    end_display: end ? formatTime(end) : `still open (last event ${formatTime(points.last_event)})`,
    open: opts.open,
    duration_ms: end ? duration ?? null : null,
    duration: end ? formatDuration(duration ?? 0) : `ongoing: ${formatDuration(duration ?? 0)} so far`,
    customer_window: {
      from: start,
      to: windowEnd,
      ms: windowMs ?? null,
      display: windowMs !== undefined ? `${formatDuration(windowMs)} (${formatTime(start)} to ${formatTime(windowEnd)})` : `not recorded: neither mitigated nor resolved (at least ${formatDuration(between(start, points.last_event) ?? 0)} up to the last event)`,
      definition: CUSTOMER_WINDOW_DEFINITION,
    },
    backup: backupTime(facts, opts.primary, end ?? points.last_event),
    success_rate: successRate(facts.readings, opts.threshold),
  };
  if (opts.business) impact.business = businessImpact(opts.business, start, windowEnd ?? points.last_event, facts.readings);
  return impact;
}

function backupTime(facts: Facts, primaryOpt: string | undefined, endAt: string): Impact['backup'] {
  const switches = facts.switches.filter((s) => s.outcome === 'ok' && !s.rolled_back);
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
  const display = intervals.length === 0
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
      currency: b.currency, window_minutes: minutes, failure_share: null,
      failure_share_source: 'no success-rate reading inside the window, so only an upper bound (every order failed) is given',
      failed_orders: null, revenue_at_risk: null, upper_bound_orders: upperOrders, upper_bound_revenue: upperRevenue,
      formula: `upper bound = orders per minute × window minutes × average order value = ${b.orders_per_minute} × ${minutes} × ${b.average_order_value} = ${money(upperRevenue, b.currency)} (${upperOrders} orders)`,
    };
  }
  const mean = inWindow.reduce((s, r) => s + r.value, 0) / inWindow.length;
  const share = round(1 - mean, 4);
  const failed = round(b.orders_per_minute * minutes * share);
  const revenue = round(failed * b.average_order_value, 2);
  return {
    currency: b.currency, window_minutes: minutes, failure_share: share,
    failure_share_source: `1 − mean of ${inWindow.length} success-rate reading${inWindow.length === 1 ? '' : 's'} inside the window`,
    failed_orders: failed, revenue_at_risk: revenue, upper_bound_orders: upperOrders, upper_bound_revenue: upperRevenue,
    formula: `failed orders = orders per minute × window minutes × (1 − mean success rate) = ${b.orders_per_minute} × ${minutes} × ${share} ≈ ${failed}; revenue at risk = failed orders × average order value = ${failed} × ${b.average_order_value} = ${money(revenue, b.currency)}`,
  };
}

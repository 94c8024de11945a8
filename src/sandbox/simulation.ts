/**
 * The traffic simulation behind the emulated Prometheus and `GET /metrics`.
 * Payments go to the providers by the routing's shares (all to the first in
 * the order, or a volume split's percentages). Each provider's fault sets its
 * target success rate, and its observed rate moves linearly from where it was
 * toward the target over `transitionMs` (~2 s) after every change; a change of
 * shares moves the same way. A little deterministic noise is added. Failed
 * payments are broken down by decline code. Counters (attempted, succeeded,
 * declined by code, per provider) are the integral of the rates over time.
 */
import type { ConditionKind } from './faults.js';

export const HEALTHY_RATE = 0.985;

/** Target success rate per provider condition. */
export const RATE_BY_CONDITION: Record<ConditionKind | 'healthy', number> = {
  healthy: HEALTHY_RATE,
  down: 0.05,
  degraded: 0.8,
  maintenance: 0.1,
  declines: 0.82,
  rate_limit: 0.7,
  // the status page says operational (from the start, or after declaring recovery early) while a fifth of payments fail
  silent: 0.8,
  early_recovery: 0.8,
};

/** Decline code that absorbs the failures above the healthy baseline, per condition. */
export const CODE_BY_CONDITION: Record<ConditionKind, string> = {
  down: 'processing_error',
  degraded: 'try_again_later',
  maintenance: 'processing_error',
  declines: 'do_not_honor',
  rate_limit: 'rate_limit',
  silent: 'processing_error',
  early_recovery: 'processing_error',
};

/** How the healthy 1.5% of failures split across codes. */
const BASELINE_MIX: Record<string, number> = {
  insufficient_funds: 0.4,
  generic_decline: 0.25,
  do_not_honor: 0.15,
  expired_card: 0.1,
  incorrect_cvc: 0.1,
};

type Condition = ConditionKind | 'healthy';

export interface TrafficTarget {
  /** Fraction of payments per provider (sums to 1). */
  shares: Record<string, number>;
  /** Each provider's condition. */
  conditions: Record<string, Condition>;
}

interface RateSegment {
  since: number;
  from: number;
  to: number;
  condition: Condition;
}

interface ShareSegment {
  since: number;
  from: Record<string, number>;
  to: Record<string, number>;
}

export interface ProviderTraffic {
  share: number;
  condition: Condition;
  observed_rate: number | null;
}

export interface TrafficSnapshot {
  /** Simulated payments per minute over all providers. */
  orders_per_minute: number;
  /** The provider receiving the largest share. */
  provider: string;
  condition: Condition;
  target_rate: number;
  observed_rate: number;
  /** When the current transition started (ISO). */
  changed_at: string;
  /** Failed payments per second by decline code. */
  declines: Record<string, number>;
  /** Fraction of payments per provider now. */
  shares: Record<string, number>;
  per_provider: Record<string, ProviderTraffic>;
}

export interface Counters {
  attempted: number;
  succeeded: number;
  declined: Record<string, number>;
}

export interface SimulationOptions {
  providers: readonly string[];
  now: () => number;
  targetNow: () => TrafficTarget;
  transitionMs?: number;
  ordersPerMinute?: number;
}

/** Integration step of the counters. */
const STEP_MS = 100;

export class TrafficSimulation {
  private rates = new Map<string, RateSegment[]>();
  private shareSegments: ShareSegment[] = [];
  private counters = new Map<string, Counters>();
  private countedTo = 0;
  private readonly transitionMs: number;
  readonly ordersPerSecond: number;

  constructor(private readonly o: SimulationOptions) {
    this.transitionMs = o.transitionMs ?? 2000;
    this.ordersPerSecond = (o.ordersPerMinute ?? 120) / 60;
    this.reset();
  }

  /** Re-read the target (after a fault or routing change); starts transitions where it moved. */
  retarget(): void {
    const now = this.o.now();
    this.count(now);
    const target = this.o.targetNow();
    for (const p of this.o.providers) {
      const list = this.rates.get(p)!;
      const last = list[list.length - 1]!;
      const cond = target.conditions[p] ?? 'healthy';
      if (last.condition === cond) continue;
      list.push({ since: now, from: this.rateAt(p, now), to: RATE_BY_CONDITION[cond], condition: cond });
      if (list.length > 1000) list.shift();
    }
    const last = this.shareSegments[this.shareSegments.length - 1]!;
    if (!sameShares(last.to, target.shares)) {
      this.shareSegments.push({ since: now, from: this.sharesAt(now), to: { ...target.shares } });
      if (this.shareSegments.length > 1000) this.shareSegments.shift();
    }
  }

  /** Customers' overall success rate at a time (default now), noise included, in [0, 1]. */
  observed(at = this.o.now()): number {
    const shares = this.sharesAt(at);
    let v = 0;
    for (const [p, s] of Object.entries(shares)) v += s * this.rateAt(p, at);
    return clampRound(v + noise(at));
  }

  /** Customers' lowest overall success rate between two times (sampled every 100 ms, both ends included). */
  lowestObserved(from: number, to: number): { rate: number; at: number } | undefined {
    if (!(to >= from)) return undefined;
    let low: { rate: number; at: number } | undefined;
    for (let at = from; ; at = Math.min(to, at + STEP_MS)) {
      const rate = this.observed(at);
      if (!low || rate < low.rate) low = { rate, at };
      if (at >= to) return low;
    }
  }

  /** One provider's success rate at a time; null when it receives no payments (Prometheus: NaN). */
  observedFor(provider: string, at = this.o.now()): number | null {
    if (!this.rates.has(provider) || (this.sharesAt(at)[provider] ?? 0) <= 0) return null;
    return clampRound(this.rateAt(provider, at) + noise(at));
  }

  /** Failed payments per second by decline code at a time, over all providers or one. */
  declines(at = this.o.now(), provider?: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [p, share] of Object.entries(this.sharesAt(at))) {
      if (provider !== undefined && p !== provider) continue;
      for (const [code, v] of Object.entries(this.declinesOf(p, share, at))) out[code] = (out[code] ?? 0) + v * this.ordersPerSecond;
    }
    for (const k of Object.keys(out)) out[k] = Math.round(out[k]! * 10000) / 10000;
    return out;
  }

  /** Payments attempted between two times, over all providers or one (the integral of the shares). */
  attemptsBetween(from: number, to: number, provider?: string): number {
    if (!(to > from)) return 0;
    const n = Math.min(200, Math.max(1, Math.ceil((to - from) / STEP_MS)));
    const dt = (to - from) / n;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const shares = this.sharesAt(from + (i + 0.5) * dt);
      const s = provider === undefined ? Object.values(shares).reduce((a, b) => a + b, 0) : (shares[provider] ?? 0);
      total += s * this.ordersPerSecond * (dt / 1000);
    }
    return Math.round(total * 100) / 100;
  }

  /** The counters of every provider now (what `GET /metrics` exposes). */
  countersNow(): Map<string, Counters> {
    this.count(this.o.now());
    return new Map([...this.counters.entries()].map(([p, c]) => [p, { ...c, declined: { ...c.declined } }]));
  }

  snapshot(at = this.o.now()): TrafficSnapshot {
    const shares = this.sharesAt(at);
    const target = this.shareSegments[this.shareSegments.length - 1]!.to;
    const lead = Object.entries(target).sort((a, b) => b[1] - a[1])[0]?.[0] ?? this.o.providers[0]!;
    const seg = this.rateSegmentAt(lead, at);
    let targetRate = 0;
    for (const [p, s] of Object.entries(target)) targetRate += s * this.rateSegmentAt(p, at).to;
    const changed = Math.max(seg.since, this.shareSegments[this.shareSegments.length - 1]!.since);
    const per: Record<string, ProviderTraffic> = {};
    for (const p of this.o.providers)
      per[p] = { share: round4(shares[p] ?? 0), condition: this.rateSegmentAt(p, at).condition, observed_rate: this.observedFor(p, at) };
    return {
      orders_per_minute: round4(this.ordersPerSecond * 60),
      provider: lead,
      condition: seg.condition,
      target_rate: round4(targetRate),
      observed_rate: this.observed(at),
      changed_at: new Date(changed).toISOString(),
      declines: this.declines(at),
      shares: Object.fromEntries(Object.entries(shares).map(([p, s]) => [p, round4(s)])),
      per_provider: per,
    };
  }

  /** Forget history (reset), starting from the current target at its steady rates; counters restart at 0. */
  reset(): void {
    const now = this.o.now();
    const target = this.o.targetNow();
    for (const p of this.o.providers) {
      const cond = target.conditions[p] ?? 'healthy';
      const rate = RATE_BY_CONDITION[cond];
      this.rates.set(p, [{ since: now, from: rate, to: rate, condition: cond }]);
      this.counters.set(p, { attempted: 0, succeeded: 0, declined: {} });
    }
    this.shareSegments = [{ since: now, from: { ...target.shares }, to: { ...target.shares } }];
    this.countedTo = now;
  }

  /** Advance the counters to `until`. */
  private count(until: number): void {
    while (this.countedTo < until) {
      const dt = Math.min(STEP_MS, until - this.countedTo);
      const mid = this.countedTo + dt / 2;
      for (const [p, share] of Object.entries(this.sharesAt(mid))) {
        const c = this.counters.get(p);
        if (!c || share <= 0) continue;
        const n = share * this.ordersPerSecond * (dt / 1000);
        const rate = clampRound(this.rateAt(p, mid) + noise(mid));
        c.attempted += n;
        c.succeeded += n * rate;
        for (const [code, v] of Object.entries(this.declinesOf(p, share, mid)))
          c.declined[code] = (c.declined[code] ?? 0) + (v / share) * n;
      }
      this.countedTo += dt;
    }
  }

  /** Failed fraction of all payments by code, for a provider receiving `share` of them. */
  private declinesOf(p: string, share: number, at: number): Record<string, number> {
    if (share <= 0) return {};
    const failed = share * (1 - clampRound(this.rateAt(p, at) + noise(at)));
    const baseline = Math.min(failed, share * (1 - HEALTHY_RATE));
    const out: Record<string, number> = {};
    for (const [code, mix] of Object.entries(BASELINE_MIX)) out[code] = baseline * mix;
    const excess = failed - baseline;
    const seg = this.rateSegmentAt(p, at);
    // while moving back to healthy, the excess still belongs to the condition being left
    const cond = seg.condition !== 'healthy' ? seg.condition : this.previousCondition(p, seg);
    if (excess > 0 && cond) {
      const code = CODE_BY_CONDITION[cond];
      out[code] = (out[code] ?? 0) + excess;
    }
    return out;
  }

  private sharesAt(at: number): Record<string, number> {
    let seg = this.shareSegments[0]!;
    for (let i = this.shareSegments.length - 1; i >= 0; i--) {
      if (this.shareSegments[i]!.since <= at) {
        seg = this.shareSegments[i]!;
        break;
      }
    }
    const progress = this.progress(seg.since, at);
    const out: Record<string, number> = {};
    for (const p of new Set([...Object.keys(seg.from), ...Object.keys(seg.to)])) {
      const v = (seg.from[p] ?? 0) * (1 - progress) + (seg.to[p] ?? 0) * progress;
      if (v > 0) out[p] = v;
    }
    return out;
  }

  private rateSegmentAt(p: string, at: number): RateSegment {
    const list = this.rates.get(p) ?? [{ since: 0, from: HEALTHY_RATE, to: HEALTHY_RATE, condition: 'healthy' as const }];
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.since <= at) return list[i]!;
    return list[0]!;
  }

  private previousCondition(p: string, seg: RateSegment): ConditionKind | undefined {
    const list = this.rates.get(p) ?? [];
    const i = list.indexOf(seg);
    const prev = i > 0 ? list[i - 1] : undefined;
    return prev && prev.condition !== 'healthy' ? prev.condition : undefined;
  }

  private rateAt(p: string, at: number): number {
    const seg = this.rateSegmentAt(p, at);
    return seg.from + (seg.to - seg.from) * this.progress(seg.since, at);
  }

  private progress(since: number, at: number): number {
    return this.transitionMs <= 0 ? 1 : Math.min(1, Math.max(0, (at - since) / this.transitionMs));
  }
}

function sameShares(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => Math.abs((a[k] ?? 0) - (b[k] ?? 0)) < 1e-9);
}

function round4(v: number): number {
  return Math.round(v * 10000) / 10000;
}

function clampRound(v: number): number {
  return Math.min(1, Math.max(0, round4(v)));
}

/** ±0.002, the same for every reading within one second (so repeated reads agree). */
function noise(at: number): number {
  let x = Math.floor(at / 1000) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x ^= x >>> 16;
  return (((x >>> 0) % 2001) / 1000 - 1) * 0.002;
}

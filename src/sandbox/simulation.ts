/**
 * The traffic simulation behind the emulated Prometheus. Payments go to the
 * provider first in the routing order; its fault sets a target success rate,
 * and the observed rate moves linearly from where it was toward the target
 * over `transitionMs` (~2 s) after every change, with a little deterministic
 * noise. Failed payments are broken down by decline code.
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
};

/** Decline code that absorbs the failures above the healthy baseline, per condition. */
export const CODE_BY_CONDITION: Record<ConditionKind, string> = {
  down: 'processing_error',
  degraded: 'try_again_later',
  maintenance: 'processing_error',
  declines: 'do_not_honor',
  rate_limit: 'rate_limit',
};

/** How the healthy 1.5% of failures split across codes. */
const BASELINE_MIX: Record<string, number> = {
  insufficient_funds: 0.4,
  generic_decline: 0.25,
  do_not_honor: 0.15,
  expired_card: 0.1,
  incorrect_cvc: 0.1,
};

export interface TrafficTarget {
  /** Provider taking traffic (first in the routing order). */
  provider: string;
  condition: ConditionKind | 'healthy';
}

interface Segment {
  since: number;
  from: number;
  to: number;
  target: TrafficTarget;
}

export interface TrafficSnapshot {
  provider: string;
  condition: ConditionKind | 'healthy';
  target_rate: number;
  observed_rate: number;
  /** When the current transition started (ISO). */
  changed_at: string;
  /** Failed payments per second by decline code. */
  declines: Record<string, number>;
}

export interface SimulationOptions {
  now: () => number;
  targetNow: () => TrafficTarget;
  transitionMs?: number;
  ordersPerMinute?: number;
}

export class TrafficSimulation {
  private segments: Segment[] = [];
  private readonly transitionMs: number;
  private readonly ordersPerSecond: number;

  constructor(private readonly o: SimulationOptions) {
    this.transitionMs = o.transitionMs ?? 2000;
    this.ordersPerSecond = (o.ordersPerMinute ?? 120) / 60;
    const target = o.targetNow();
    const rate = RATE_BY_CONDITION[target.condition];
    this.segments.push({ since: o.now(), from: rate, to: rate, target });
  }

  /** Re-read the target (after a fault or routing change); starts a transition when it moved. */
  retarget(): void {
    const now = this.o.now();
    const target = this.o.targetNow();
    const last = this.segments[this.segments.length - 1]!;
    if (last.target.provider === target.provider && last.target.condition === target.condition) return;
    this.segments.push({ since: now, from: this.baseAt(now), to: RATE_BY_CONDITION[target.condition], target });
    if (this.segments.length > 1000) this.segments.shift();
  }

  /** Observed success rate at a time (default now), noise included, in [0, 1]. */
  observed(at = this.o.now()): number {
    const v = this.baseAt(at) + noise(at);
    return Math.min(1, Math.max(0, Math.round(v * 10000) / 10000));
  }

  /** Failed payments per second by decline code at a time. */
  declines(at = this.o.now()): Record<string, number> {
    const seg = this.segmentAt(at);
    const failed = 1 - this.observed(at);
    const baseline = Math.min(failed, 1 - HEALTHY_RATE);
    const out: Record<string, number> = {};
    for (const [code, share] of Object.entries(BASELINE_MIX)) out[code] = baseline * share * this.ordersPerSecond;
    const excess = failed - baseline;
    // while moving back to healthy, the excess still belongs to the condition being left
    const cond = seg.target.condition !== 'healthy' ? seg.target.condition : this.previousCondition(seg);
    if (excess > 0 && cond) {
      const code = CODE_BY_CONDITION[cond];
      out[code] = (out[code] ?? 0) + excess * this.ordersPerSecond;
    }
    for (const k of Object.keys(out)) out[k] = Math.round(out[k]! * 10000) / 10000;
    return out;
  }

  snapshot(at = this.o.now()): TrafficSnapshot {
    const seg = this.segmentAt(at);
    return {
      provider: seg.target.provider,
      condition: seg.target.condition,
      target_rate: seg.to,
      observed_rate: this.observed(at),
      changed_at: new Date(seg.since).toISOString(),
      declines: this.declines(at),
    };
  }

  /** Forget history (reset), starting from the current target at its steady rate. */
  reset(): void {
    const target = this.o.targetNow();
    const rate = RATE_BY_CONDITION[target.condition];
    this.segments = [{ since: this.o.now(), from: rate, to: rate, target }];
  }

  private segmentAt(at: number): Segment {
    for (let i = this.segments.length - 1; i >= 0; i--) if (this.segments[i]!.since <= at) return this.segments[i]!;
    return this.segments[0]!;
  }

  private previousCondition(seg: Segment): ConditionKind | undefined {
    const i = this.segments.indexOf(seg);
    const prev = i > 0 ? this.segments[i - 1] : undefined;
    return prev && prev.target.condition !== 'healthy' ? prev.target.condition : undefined;
  }

  private baseAt(at: number): number {
    const seg = this.segmentAt(at);
    const progress = this.transitionMs <= 0 ? 1 : Math.min(1, Math.max(0, (at - seg.since) / this.transitionMs));
    return seg.from + (seg.to - seg.from) * progress;
  }
}

/** ±0.002, the same for every reading within one second (so repeated reads agree). */
function noise(at: number): number {
  let x = Math.floor(at / 1000) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x ^= x >>> 16;
  return (((x >>> 0) % 2001) / 1000 - 1) * 0.002;
}

/**
 * Holding one canary stage: while `provider` receives its share, read its
 * success rate and payments attempted over the stage so far, every `pollMs`.
 * The stage is good when, at the end of the hold, the rate is at or above
 * `minRate` with at least `minAttempts` payments; it fails at once when a
 * reading with enough payments falls below. Too few payments by the end of
 * the hold extend it (up to three holds), then fail it: no evidence is not
 * good evidence. A reading that cannot be taken is retried at the next poll;
 * one still failing at the end fails the stage.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../errors.js';
import { readProviderSample, type MetricsDeps } from './metrics.js';

export interface HoldOptions {
  provider: string;
  holdMs: number;
  minRate: number;
  minAttempts: number;
  /** Time between readings (default: a fifth of the hold, 1 s to 15 s). */
  pollMs?: number;
  /**
   * The first reading waits this long (default 2 s), and every reading covers
   * the stage so far and nothing before it: the target's payments before the
   * stage (say, while it was failing) are not the canary's evidence.
   */
  minWindowMs?: number;
  signal?: AbortSignal;
  log: (text: string) => void;
}

export interface HoldOutcome {
  ok: boolean;
  success_rate: number | null;
  attempts: number | null;
  reason?: string;
  /** When the hold's decision was taken (epoch ms): the bench measures from here to the next write. */
  decided_at: number;
}

const pct = (v: number | null) => (v === null ? 'no data' : `${(v * 100).toFixed(1)}%`);

export async function holdStage(deps: MetricsDeps, o: HoldOptions): Promise<HoldOutcome> {
  const started = Date.now();
  const pollMs = o.pollMs ?? Math.min(15_000, Math.max(1000, Math.round(o.holdMs / 5)));
  const minWindow = o.minWindowMs ?? 2000;
  const enough = (a: number | null) => o.minAttempts <= 0 || (a !== null && a >= o.minAttempts);
  const verdict = (rate: number | null, attempts: number | null, ok: boolean, reason?: string): HoldOutcome => ({
    ok,
    success_rate: rate,
    attempts,
    ...(reason ? { reason } : {}),
    decided_at: Date.now(),
  });
  let announced = 0;
  let last: { rate: number | null; attempts: number | null; error?: string } = { rate: null, attempts: null };

  await sleep(Math.max(minWindow, Math.min(pollMs, o.holdMs)), undefined, { signal: o.signal });
  for (;;) {
    const elapsed = Date.now() - started;
    const end = elapsed >= o.holdMs;
    try {
      const s = await readProviderSample(deps, o.provider, elapsed, o.signal);
      last = { rate: s.success_rate, attempts: s.attempts };
      if (enough(s.attempts) && s.success_rate !== null && s.success_rate < o.minRate) {
        return verdict(
          s.success_rate,
          s.attempts,
          false,
          `${o.provider}'s success rate ${pct(s.success_rate)} is below ${pct(o.minRate)} over ${s.attempts === null ? '?' : Math.round(s.attempts)} payments`,
        );
      }
      if (end && enough(s.attempts) && s.success_rate !== null) return verdict(s.success_rate, s.attempts, true);
    } catch (e) {
      if (o.signal?.aborted) throw e;
      last = { ...last, error: messageOf(e) };
      o.log(`warning: could not read ${o.provider}'s success rate: ${last.error}`);
    }
    if (elapsed >= 3 * o.holdMs) {
      const why = last.error
        ? `its success rate could not be read (${last.error})`
        : last.rate === null
          ? 'no success rate was reported for it'
          : `only ${Math.round(last.attempts ?? 0)} payments reached it (the stage needs ${o.minAttempts})`;
      return verdict(
        last.rate,
        last.attempts,
        false,
        `not enough evidence about ${o.provider} after ${Math.round(elapsed / 1000)}s: ${why}`,
      );
    }
    // once per extension: how long the hold may still go on
    const extension = Math.floor(elapsed / o.holdMs);
    if (end && extension > announced) {
      announced = extension;
      o.log(
        `${o.provider}: ${Math.round(last.attempts ?? 0)} of ${o.minAttempts} payments needed so far; holding up to ${Math.round((3 * o.holdMs - elapsed) / 1000)}s longer (${Math.round((3 * o.holdMs) / 1000)}s at most)`,
      );
    }
    // the last reading of the hold is taken as it ends: the decision follows it without waiting a poll
    const untilEnd = o.holdMs - (Date.now() - started);
    await sleep(untilEnd > 0 ? Math.min(pollMs, untilEnd) : pollMs, undefined, { signal: o.signal });
  }
}

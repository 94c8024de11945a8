/**
 * How long a shift_traffic step may take when it gives no `timeout:`. Every
 * stage's hold may be extended up to three holds (providers/canary.ts) plus a
 * last reading, so the step's default is the engine's default for any step
 * (the switches and readings) plus that for each stage. The engine hands the
 * deadline to the handler, which stops the canary itself and rolls it back to
 * the last good split when it passes.
 */
import { parseDuration } from '../duration.js';

/** A hold extended to this many holds at most (providers/canary.ts). */
export const MAX_HOLDS = 3;
/** The longest time between two readings of a hold (providers/canary.ts). */
const MAX_POLL_MS = 15_000;
const DEFAULT_HOLD_MS = 120_000;

export function shiftTrafficTimeoutMs(step: { stages?: unknown; hold?: unknown }, baseMs: number): number {
  const count = stageCount(step.stages);
  const hold = typeof step.hold === 'string' && step.hold !== '' ? parseDuration(step.hold) : DEFAULT_HOLD_MS;
  // bad values fail in the handler with a clear error; the deadline is then moot
  if (count === undefined || hold === undefined) return baseMs;
  const poll = Math.min(MAX_POLL_MS, Math.max(1000, Math.round(hold / 5)));
  return baseMs + count * (MAX_HOLDS * hold + poll);
}

function stageCount(stages: unknown): number | undefined {
  if (Array.isArray(stages)) return stages.length;
  if (typeof stages === 'string') return stages.split(/[\s,]+/).filter(Boolean).length || undefined;
  return undefined;
}

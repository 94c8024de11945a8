/**
 * How long to wait before trying again: exponential from `baseMs`, capped at
 * `maxMs`; with `random`, half of it fixed and half jitter (so many clients
 * retrying at once spread out). The one formula behind the HTTP client's
 * retries and the engine's step retries.
 */
export interface Backoff {
  baseMs: number;
  maxMs: number;
  /** A source in [0, 1): jitter on; absent: the plain exponential delay. */
  random?: () => number;
}

/** The delay before retry number `retry` (1 = the first retry). */
export function backoffDelay(retry: number, b: Backoff): number {
  const exp = Math.min(b.maxMs, b.baseMs * 2 ** (retry - 1));
  return b.random ? Math.round(exp / 2 + b.random() * (exp / 2)) : exp;
}

/** Time helpers for documents: ISO in, readable UTC out. */
import { formatDuration } from '../duration.js';

export function toMs(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

/** 2026-03-14 02:03:04 UTC */
export function formatTime(iso: string | undefined): string {
  const t = toMs(iso);
  if (t === undefined) return 'not recorded';
  return new Date(t).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
}

/** 02:03:04 (UTC clock time only). */
export function clockTime(iso: string): string {
  const t = toMs(iso);
  return t === undefined ? '?' : new Date(t).toISOString().slice(11, 19);
}

/** Milliseconds from a to b, or undefined when either is missing. */
export function between(a: string | undefined, b: string | undefined): number | undefined {
  const x = toMs(a);
  const y = toMs(b);
  return x === undefined || y === undefined ? undefined : y - x;
}

/** "T+5m 10s" relative to a start. */
export function sinceStart(start: string, iso: string): string {
  const a = toMs(start);
  const b = toMs(iso);
  if (a === undefined || b === undefined) return '?';
  // whole seconds of the clock times shown beside it, so 16:01:04 → 16:01:21 reads T+17s, not a rounded 18s
  const d = (Math.floor(b / 1000) - Math.floor(a / 1000)) * 1000;
  return d < 0 ? `T-${formatDuration(-d)}` : `T+${formatDuration(d)}`;
}

export function showDuration(ms: number | undefined): string {
  return ms === undefined ? 'not recorded' : formatDuration(ms);
}

export function earliest(times: (string | undefined)[]): string | undefined {
  let best: string | undefined;
  let bestMs = Infinity;
  for (const t of times) {
    const m = toMs(t);
    if (m !== undefined && m < bestMs) {
      bestMs = m;
      best = new Date(m).toISOString();
    }
  }
  return best;
}

import { InvalidInputError } from './errors.js';

/** Durations as written in playbooks and flags: `500ms`, `30s`, `5m`, `2h`, `1d`, or combined like `1h30m`. */
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const DURATION_HINT = 'write a duration like 30s, 5m, 2h or 1h30m';

export function isDuration(text: string): boolean {
  return WHOLE.test(text.trim());
}

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!WHOLE.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(ms);
}

/** A compact human form: 42s, 5m 10s, 2h 3m, 1d 4h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  let s = Math.round(Math.abs(ms) / 1000);
  const neg = ms < 0 && s > 0; // -0.4 s is "0s", not "-0s"
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = d ? [`${d}d`, h ? `${h}h` : ''] : h ? [`${h}h`, m ? `${m}m` : ''] : m ? [`${m}m`, s ? `${s}s` : ''] : [`${s}s`];
  return (neg ? '-' : '') + parts.filter(Boolean).join(' ');
}

/** Like formatDuration, but with tenths of a second under 10 s (drill and demo summaries). */
export function formatElapsed(ms: number): string {
  return Math.abs(ms) < 10_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(ms);
}

/**
 * A duration field after its template was rendered: an answer like "ten minutes"
 * is bad input (exit 2 naming the field), never a timer on NaN.
 */
export function requireDuration(text: string | number | undefined, where: string, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(String(text));
  if (ms === undefined) {
    throw new InvalidInputError(
      `${where} "${text}" is not a duration`,
      `${DURATION_HINT}; if it comes from an input, answer it like that (e.g. --var name=30m)`,
    );
  }
  return ms;
}

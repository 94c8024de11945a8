/**
 * Making free text (titles, notes, reasons: anything a person typed) safe inside
 * Markdown: table cells keep their shape, and secrets are redacted.
 */
import { redact } from '../secrets.js';

/** One table cell: no pipes breaking columns, no newlines breaking rows. */
export function cell(text: unknown): string {
  const s = redact(text === undefined || text === null ? '' : String(text));
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').trim();
}

/** Inline text outside tables: one line, redacted. */
export function inline(text: unknown): string {
  return redact(text === undefined || text === null ? '' : String(text))
    .replace(/\r?\n/g, ' ')
    .trim();
}

export function percent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(digits)}%`;
}

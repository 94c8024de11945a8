/**
 * Making free text (titles, notes, reasons: anything a person typed) safe inside
 * Markdown: table cells keep their shape, secrets are redacted, and control
 * characters (a server's `ESC[2J` in an incident name) are removed.
 */
import { redact } from '../secrets.js';
import { cleanText } from '../control-chars.js';

/** One table cell: no pipes breaking columns, no newlines breaking rows. */
export function cell(text: unknown): string {
  const s = cleanText(redact(text === undefined || text === null ? '' : String(text)));
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').trim();
}

/** Inline text outside tables: one line, redacted. */
export function inline(text: unknown): string {
  return cleanText(redact(text === undefined || text === null ? '' : String(text))).trim();
}

export function percent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(digits)}%`;
}

/**
 * HTML written by payctl serve: every interpolated value is escaped unless it
 * is itself HTML built here (SafeHtml). Incident titles, notes, reasons and
 * message variables are untrusted text; none of them can open a tag or leave
 * an attribute.
 */

/** HTML made by the `html` tag: inserted as is. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function piece(value: unknown): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** A template of HTML: values are escaped, arrays joined, undefined/null/false left out, SafeHtml kept. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** A path segment: ids are checked before they get here, and encoded anyway. */
export function pathPart(text: string): string {
  return encodeURIComponent(text);
}

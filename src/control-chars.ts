/**
 * Text from servers (status pages, error bodies, API answers) must never drive
 * the terminal: an `ESC[2J` in a component name would clear the screen, an
 * `ESC]0;…BEL` retitle the window, a `\r` overwrite the line before it.
 *
 * cleanText() is applied where server text enters (the adapters) and where
 * human output and Markdown leave (output.ts, the postmortem renderer), so
 * only payctl's own styling ever emits an escape sequence.
 */

/** Escape sequences: CSI (ESC [ … or the 8-bit CSI), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC strings, and two-byte ESC sequences. */
const SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (server text is cleaned of them)
  /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?|\x1b[ -~]?/g;
/** SGR (colour and weight): the only sequence payctl's own styling emits. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (server text is cleaned of them)
const SGR = /^\x1b\[[0-9;]*m$/;
/** C0 controls but tab and newline, DEL, and C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (server text is cleaned of them)
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (server text is cleaned of them)
const STYLE_OR_CONTROL = /(\x1b\[[0-9;]*m)|[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/g;
const LINE_BREAKS = /\r\n|[\n\u2028\u2029]/g;

function visible(ch: string): string {
  if (ch === '\r') return '';
  return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

export interface CleanOptions {
  /** Keep newlines and tabs (a block of text); otherwise line breaks become spaces (a name, a table cell). */
  multiline?: boolean;
  /** Keep SGR colour sequences (payctl's own styling on a colour terminal). */
  keepStyle?: boolean;
}

/**
 * The text with escape sequences removed and other control characters shown
 * as `\xNN` (a lone `\r` is dropped, `\r\n` kept as a newline in a block).
 */
export function cleanText(text: string, o: CleanOptions = {}): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (server text is cleaned of them)
  if (!/[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(text)) return text;
  let out = text.replace(SEQUENCE, (seq) => (o.keepStyle && SGR.test(seq) ? seq : ''));
  out = o.multiline ? out.replace(/\r\n/g, '\n') : out.replace(LINE_BREAKS, ' ');
  if (o.keepStyle) {
    // controls left outside the kept SGR sequences
    return out.replace(
      STYLE_OR_CONTROL,
      (m, sgr: string | undefined) => sgr ?? (m === '\u2028' || m === '\u2029' ? (o.multiline ? '\n' : ' ') : visible(m)),
    );
  }
  return out.replace(CONTROL, visible).replace(/[\u2028\u2029]/g, o.multiline ? '\n' : ' ');
}

/** cleanText() over every string in a JSON-like value (names and statuses read from a server). */
export function cleanDeep<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map((v) => cleanDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cleanDeep(v);
    return out as T;
  }
  return value;
}

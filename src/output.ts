/**
 * Where output goes. Data and human output on stdout; warnings, progress and
 * errors on stderr. Colour only on a TTY, NO_COLOR and FORCE_COLOR respected.
 * Everything passes through redact() so a secret cannot be printed, and
 * through cleanText() so text from a server cannot drive the terminal: escape
 * sequences and control characters are removed or shown as \xNN, except the
 * colour of payctl's own styling when colour is on (never with NO_COLOR or off
 * a terminal). JSON needs neither: JSON.stringify escapes control characters.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { isSpooled } from './store/spool-state.js';
import { redact, redactDeep } from './secrets.js';
import { cleanText } from './control-chars.js';

export interface Output {
  /** A line of human output on stdout (suppressed in --json mode). */
  line(text?: string): void;
  /** The one JSON document of a --json command, on stdout. */
  json(value: unknown): void;
  /** A warning or progress line on stderr. */
  info(text: string): void;
  warn(text: string): void;
  readonly color: ChalkInstance;
  readonly jsonMode: boolean;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
}

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function colorLevel(isTTY: boolean, env: NodeJS.ProcessEnv): 0 | 1 | 2 | 3 {
  if ('NO_COLOR' in env && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return (n >= 1 && n <= 3 ? n : 1) as 1 | 2 | 3;
  }
  if (!isTTY || env.TERM === 'dumb') return 0;
  return env.COLORTERM === 'truecolor' ? 3 : 2;
}

let documentWritten = false;

/** Whether this process has printed its --json document (the entry then prints no error document). */
export function jsonDocumentWritten(): boolean {
  return documentWritten;
}

export function createOutput(streams: Streams, env: NodeJS.ProcessEnv, jsonMode: boolean): Output {
  const stdoutIsTTY = Boolean(streams.stdout.isTTY);
  const stderrIsTTY = Boolean(streams.stderr.isTTY);
  const color = new Chalk({ level: jsonMode ? 0 : colorLevel(stdoutIsTTY, env) });
  const stdoutText = (text: string) => cleanText(redact(text), { multiline: true, keepStyle: color.level > 0 });
  // progress and warnings on stderr are never coloured by chalk's stdout level: keep style only when stderr has colour too
  const stderrText = (text: string) => cleanText(redact(text), { multiline: true, keepStyle: colorLevel(stderrIsTTY, env) > 0 });
  return {
    line(text = '') {
      if (!jsonMode) streams.stdout.write(stdoutText(text) + '\n');
    },
    json(value) {
      documentWritten = true;
      // events kept in the local spool (the shared store was unreachable): the document says so
      const doc = isSpooled() && value && typeof value === 'object' && !Array.isArray(value) ? { ...value, store: 'spooled' } : value;
      streams.stdout.write(JSON.stringify(redactDeep(doc), null, 2) + '\n');
    },
    info(text) {
      streams.stderr.write(stderrText(text) + '\n');
    },
    warn(text) {
      streams.stderr.write(stderrText(`warning: ${text}`) + '\n');
    },
    color,
    jsonMode,
    stdoutIsTTY,
    stderrIsTTY,
  };
}

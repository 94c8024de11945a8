/**
 * Reading a timeline file. Never throws on bad content: a torn last line (a
 * crash mid-write) is reported and ignored, an unparsable line elsewhere is
 * reported and skipped. verify.ts checks the hash chain.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import type { TimelineEvent } from './events.js';

export interface TimelineProblem {
  line: number;
  message: string;
}

export interface ReadTimeline {
  events: TimelineEvent[];
  /** The raw text of each event's line, parallel to events (for hashing). */
  lines: string[];
  /** 1-based line number of each event. */
  lineNumbers: number[];
  problems: TimelineProblem[];
}

export function readTimelineFile(file: string): ReadTimeline {
  return collect(readFileSync(file));
}

export function parseTimeline(text: string): ReadTimeline {
  return collect(Buffer.from(text, 'utf8'));
}

function collect(buf: Buffer): ReadTimeline {
  const out = emptyReadTimeline();
  scanTimeline(buf, collectInto(out));
  return out;
}

export function emptyReadTimeline(): ReadTimeline {
  return { events: [], lines: [], lineNumbers: [], problems: [] };
}

/** A visitor that keeps what it is shown in `out` (events, their lines and line numbers, problems). */
export function collectInto(out: ReadTimeline): TimelineVisitor {
  return {
    event(ev, line, lineNo) {
      out.events.push(ev);
      out.lines.push(line);
      out.lineNumbers.push(lineNo);
    },
    problem(p) {
      out.problems.push(p);
    },
  };
}

export interface TimelineVisitor {
  /** `line`: the event's text; `bytes`: the same line as written (what the next line's prev hashes). */
  event(ev: TimelineEvent, line: string, lineNo: number, bytes: Buffer): void;
  problem(p: TimelineProblem): void;
}

/**
 * Walk a timeline's bytes line by line without building an array of every
 * line (a 100,000-event timeline stays cheap). Never throws on bad content.
 */
export function scanTimeline(buf: Buffer, visit: TimelineVisitor): void {
  const size = buf.length;
  const endsClean = size === 0 || buf[size - 1] === 0x0a;
  let pos = 0;
  let lineNo = 0;
  while (pos < size) {
    let nl = buf.indexOf(0x0a, pos);
    const last = nl < 0 || nl === size - 1;
    if (nl < 0) nl = size;
    lineNo++;
    const start = pos;
    const line = buf.toString('utf8', pos, nl);
    pos = nl + 1;
    if (line.trim() === '') {
      visit.problem({ line: lineNo, message: 'empty line' });
      continue;
    }
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      visit.problem({
        line: lineNo,
        message: last && !endsClean ? 'truncated last line (the process stopped mid-write); ignored' : 'not valid JSON; ignored',
      });
      continue;
    }
    if (!isEventShape(ev)) {
      visit.problem({ line: lineNo, message: 'not a timeline event (missing seq, time, type or data); ignored' });
      continue;
    }
    if (last && !endsClean) {
      visit.problem({ line: lineNo, message: 'last line has no newline (the process stopped mid-write); ignored' });
      continue;
    }
    visit.event(ev, line, lineNo, buf.subarray(start, nl));
  }
}

function isEventShape(v: unknown): v is TimelineEvent {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  return typeof e.seq === 'number' && typeof e.time === 'string' && typeof e.type === 'string' && typeof e.prev === 'string' && 'data' in e;
}

const CHUNK = 64 * 1024;
let spare: Buffer | undefined;

/**
 * scanTimeline over a file read in chunks of bytes cut at the last newline
 * (a 100,000-event timeline is never in memory at once). Line numbers count
 * from the file's start. A visitor's `bytes` are valid only during its call
 * (the buffer is reused).
 */
export function scanTimelineFile(file: string, visit: TimelineVisitor): void {
  let lineOffset = 0;
  let last = 0;
  const shifted = shiftLines(
    visit,
    () => lineOffset,
    (lineNo) => (last = lineNo),
  );
  forEachChunk(file, (bytes) => {
    last = 0;
    scanTimeline(bytes, shifted);
    lineOffset += last;
  });
}

/**
 * `visit`, shown lines numbered `offset()` further on (a part of a timeline
 * scanned on its own: a chunk, a page); `seen` gets each line's own number.
 */
export function shiftLines(visit: TimelineVisitor, offset: () => number, seen?: (lineNo: number) => void): TimelineVisitor {
  return {
    event(e, line, lineNo, bytes) {
      seen?.(lineNo);
      visit.event(e, line, lineNo + offset(), bytes);
    },
    problem(p) {
      seen?.(p.line);
      visit.problem({ line: p.line + offset(), message: p.message });
    },
  };
}

/**
 * One stored line, unparsed: bytes[start, end) without its newline, at
 * 1-based position `lineNo`. The bytes are valid only during the call (a
 * buffer may be reused): copy what is kept.
 */
export type RawLineVisitor = (bytes: Buffer, start: number, end: number, lineNo: number) => void;

/**
 * The complete lines of a timeline file as written, without parsing them: what
 * a reader that already scanned the file copies out. A last line without its
 * newline (torn, or being written) is left out.
 */
export function readRawLines(file: string, visit: RawLineVisitor): void {
  let next = 1;
  forEachChunk(file, (bytes, complete) => {
    if (complete) next = eachRawLine(bytes, next, visit);
  });
}

/** Each newline-terminated line of `bytes`, numbered from `first`; returns the number after the last. */
export function eachRawLine(bytes: Buffer, first: number, visit: RawLineVisitor): number {
  let lineNo = first;
  let pos = 0;
  for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, pos)) {
    visit(bytes, pos, nl, lineNo++);
    pos = nl + 1;
  }
  return lineNo;
}

/**
 * A file's bytes in chunks that end with a newline (`complete`), then what
 * follows the last newline, if anything. One buffer serves read after read (a
 * report reads thousands of short timelines); a line longer than it grows it.
 * A short read is the file's end (as it was when read): a short timeline is
 * one read, not two.
 */
function forEachChunk(file: string, take: (bytes: Buffer, complete: boolean) => void): void {
  const fd = openSync(file, 'r');
  let buf = spare ?? Buffer.allocUnsafe(CHUNK);
  spare = undefined; // a visitor that reads another file meanwhile gets its own
  try {
    let kept = 0; // bytes of an unfinished line carried over from the previous chunk
    for (;;) {
      if (kept === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, kept);
        buf = bigger;
      }
      const want = buf.length - kept;
      const n = readSync(fd, buf, kept, want, null);
      const end = kept + n;
      const cut = n === 0 ? -1 : buf.lastIndexOf(0x0a, end - 1);
      if (cut !== -1) take(buf.subarray(0, cut + 1), true);
      if (n < want) {
        if (end > cut + 1) take(buf.subarray(cut + 1, end), false);
        return;
      }
      // the unfinished line moves to the front (nothing taken keeps a part of the buffer)
      buf.copy(buf, 0, cut + 1, end);
      kept = end - cut - 1;
    }
  } finally {
    closeSync(fd);
    spare = buf;
  }
}

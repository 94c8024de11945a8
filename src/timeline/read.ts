/**
 * Reading a timeline file. Never throws on bad content: a torn last line (a
 * crash mid-write) is reported and ignored, an unparsable line elsewhere is
 * reported and skipped. verify.ts checks the hash chain.
 */
import { readFileSync } from 'node:fs';
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

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
  return parseTimeline(readFileSync(file, 'utf8'));
}

export function parseTimeline(text: string): ReadTimeline {
  const out: ReadTimeline = { events: [], lines: [], lineNumbers: [], problems: [] };
  const raw = text.split('\n');
  const endsClean = text.endsWith('\n') || text === '';
  const count = endsClean ? raw.length - 1 : raw.length;
  for (let i = 0; i < count; i++) {
    const line = raw[i]!;
    const lineNo = i + 1;
    const last = i === count - 1;
    if (line.trim() === '') {
      out.problems.push({ line: lineNo, message: 'empty line' });
      continue;
    }
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      out.problems.push({
        line: lineNo,
        message: last && !endsClean ? 'truncated last line (the process stopped mid-write); ignored' : 'not valid JSON; ignored',
      });
      continue;
    }
    if (!isEventShape(ev)) {
      out.problems.push({ line: lineNo, message: 'not a timeline event (missing seq, time, type or data); ignored' });
      continue;
    }
    if (last && !endsClean) {
      out.problems.push({ line: lineNo, message: 'last line has no newline (the process stopped mid-write); ignored' });
      continue;
    }
    out.events.push(ev);
    out.lines.push(line);
    out.lineNumbers.push(lineNo);
  }
  return out;
}

function isEventShape(v: unknown): v is TimelineEvent {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  return typeof e.seq === 'number' && typeof e.time === 'string' && typeof e.type === 'string' && typeof e.prev === 'string' && 'data' in e;
}

/** Checking a timeline's hash chain and sequence: names the first bad line. */
import { readTimelineFile } from './read.js';
import { GENESIS } from './events.js';
import { sha256 } from './writer.js';

export interface VerifyReport {
  ok: boolean;
  events: number;
  /** 1-based line of the first problem. */
  firstBadLine?: number;
  message?: string;
  /** Problems reading lines (torn last line, invalid JSON). */
  warnings: { line: number; message: string }[];
}

export function verifyTimeline(file: string): VerifyReport {
  const t = readTimelineFile(file);
  const warnings = t.problems.filter((p) => p.message.includes('truncated') || p.message.includes('no newline'));
  const hard = t.problems.filter((p) => !warnings.includes(p));
  let prevHash = GENESIS;
  let prevSeq = 0;
  let firstBad: { line: number; message: string } | undefined = hard[0];
  for (let i = 0; i < t.events.length; i++) {
    const ev = t.events[i]!;
    const line = t.lineNumbers[i]!;
    if (firstBad && firstBad.line < line) break;
    if (ev.prev !== prevHash) {
      const before = t.lineNumbers[i - 1];
      // an edit to line N leaves line N's own link intact and breaks line N+1's: name line N
      firstBad =
        i === 0
          ? { line, message: 'first event does not start the chain (an earlier line was removed, or this one edited)' }
          : { line: before!, message: `line ${before} was changed after it was written: line ${line} records the hash of a different line ${before} (or a line between them was removed, or line ${line}'s prev was edited)` };
      break;
    }
    if (ev.seq !== prevSeq + 1) {
      firstBad = { line, message: `sequence jumps from ${prevSeq} to ${ev.seq}: an event was removed or inserted` };
      break;
    }
    prevHash = sha256(t.lines[i]!);
    prevSeq = ev.seq;
  }
  return {
    ok: !firstBad,
    events: t.events.length,
    firstBadLine: firstBad?.line,
    message: firstBad?.message,
    warnings,
  };
}

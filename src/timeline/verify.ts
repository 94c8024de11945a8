/**
 * Checking a timeline's hash chain and sequence: names the first bad line.
 * ChainCheck is fed line by line (events and problems, in file order), so a
 * reader that already walks the file (incident show, the postmortem loader)
 * checks the chain in the same pass; verifyTimeline reads a file and checks it.
 */
import { readFileSync } from 'node:fs';
import { scanTimeline, type TimelineProblem } from './read.js';
import { GENESIS, type TimelineEvent } from './events.js';
import { hash } from 'node:crypto';
import { headPath, sha256 } from './writer.js';

export interface VerifyReport {
  ok: boolean;
  events: number;
  /** 1-based line of the first problem. */
  firstBadLine?: number;
  message?: string;
  /** Problems reading lines (torn last line, invalid JSON). */
  warnings: { line: number; message: string }[];
}

/** A torn last line (a crash mid-write) is a warning, not a broken chain. */
function isWarning(p: TimelineProblem): boolean {
  return p.message.includes('truncated') || p.message.includes('no newline');
}

export class ChainCheck {
  private prevHash = GENESIS;
  private prevSeq = 0;
  private prevLine: number | undefined;
  private events = 0;
  private firstBad: TimelineProblem | undefined;
  private readonly warnings: TimelineProblem[] = [];

  problem(p: TimelineProblem): void {
    if (isWarning(p)) this.warnings.push(p);
    else this.firstBad ??= p;
  }

  /** `line` is the event's raw text, exactly as written (it is what the next line hashes); `bytes`, when given, the same as read. */
  event(ev: TimelineEvent, line: string, lineNo: number, bytes?: Buffer): void {
    const first = this.events === 0;
    this.events++;
    if (this.firstBad) return;
    if (ev.prev !== this.prevHash) {
      const before = this.prevLine;
      // an edit to line N leaves line N's own link intact and breaks line N+1's: name line N
      this.firstBad =
        first || before === undefined
          ? { line: lineNo, message: 'first event does not start the chain (an earlier line was removed, or this one edited)' }
          : {
              line: before,
              message: `line ${before} was changed after it was written: line ${lineNo} records the hash of a different line ${before} (or a line between them was removed, or line ${lineNo}'s prev was edited)`,
            };
      return;
    }
    if (ev.seq !== this.prevSeq + 1) {
      this.firstBad = { line: lineNo, message: `sequence jumps from ${this.prevSeq} to ${ev.seq}: an event was removed or inserted` };
      return;
    }
    this.prevHash = bytes ? hash('sha256', bytes) : sha256(line);
    this.prevSeq = ev.seq;
    this.prevLine = lineNo;
  }

  report(): VerifyReport {
    if (this.events === 0 && !this.firstBad) {
      // nothing to vouch for: an incident that was never opened is not "intact"
      return {
        ok: false,
        events: 0,
        firstBadLine: 1,
        message: 'the timeline is empty: the incident was never opened (payctl stopped while creating it: killed, or the disk full)',
        warnings: this.warnings,
      };
    }
    return {
      ok: !this.firstBad,
      events: this.events,
      firstBadLine: this.firstBad?.line,
      message: this.firstBad?.message,
      warnings: this.warnings,
    };
  }

  /**
   * The report, also checked against the head the store recorded (count and
   * last hash): a timeline that ends before it lost its tail. A head behind
   * the timeline is not a problem (a directory store's head can lag a crash).
   */
  reportAgainst(head: { count: number; last: string } | undefined): VerifyReport {
    const r = this.report();
    if (!r.ok || !head) return r;
    if (head.count > this.prevSeq) {
      const gone = head.count - this.prevSeq;
      return {
        ...r,
        ok: false,
        firstBadLine: (this.prevLine ?? 0) + 1,
        message: `the incident recorded ${head.count} events but its timeline ends at event ${this.prevSeq}: the last ${gone === 1 ? 'event was' : `${gone} events were`} removed`,
      };
    }
    if (head.count === this.prevSeq && head.last !== this.prevHash) {
      return {
        ...r,
        ok: false,
        firstBadLine: this.prevLine,
        message: `event ${this.prevSeq} is not the one the incident recorded as its last: it was changed or replaced`,
      };
    }
    return r;
  }
}

/** A timeline file checked, and against its head file when there is one. */
export function verifyTimeline(file: string): VerifyReport {
  const check = new ChainCheck();
  scanTimeline(readFileSync(file), check);
  return check.reportAgainst(readHead(file));
}

function readHead(file: string): { count: number; last: string } | undefined {
  try {
    const h = JSON.parse(readFileSync(headPath(file), 'utf8')) as { count?: unknown; last?: unknown };
    return typeof h.count === 'number' && typeof h.last === 'string' ? { count: h.count, last: h.last } : undefined;
  } catch {
    return undefined;
  }
}

/** "the timeline's hash chain is broken at line N" (incident show, the postmortem draft), or undefined when it holds. */
export function brokenChainWarning(r: VerifyReport): string | undefined {
  return r.ok ? undefined : `the timeline's hash chain is broken at line ${r.firstBadLine}`;
}

/**
 * Appending to a timeline: one JSON line per event, under a lock (several
 * processes may append to one incident), fsync'd before append() returns, each
 * line carrying the sha256 of the previous line. Secrets are redacted before
 * anything is written.
 *
 * The lock is a flock on the timeline's own open descriptor (timeline/lock.ts),
 * taken around each write: a kernel call, not a lock file, so a run appending
 * all along costs a write and an fsync per append, and a note from another
 * process waits for the write in progress and chains onto it. A killed
 * writer's lock goes with it. A full disk or a read-only filesystem is a
 * StorageError naming the file; a write cut short by one is undone.
 *
 * appendAll() writes several events in one lock, one write and one fsync: each
 * still gets its own seq and the hash of the line before it, exactly as if
 * appended one by one (append() is appendAll() of one). The caller gets them
 * back only once all are on disk. A kill mid-write can leave a prefix of the
 * batch plus a torn line; the torn line is cut off by the next append (the
 * whole lines before it are valid events), so a timeline is always a valid
 * chain. Batch only events with nothing between them: never an event
 * announcing an action together with what follows the action.
 */
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, appendFileSync, ftruncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { hash } from 'node:crypto';
import { redactDeep } from '../secrets.js';
import { GENESIS, type NewEvent, type TimelineEvent } from './events.js';
import { actorName } from './actor.js';
import { lockForAppend, unlockAfterAppend } from './lock.js';
import { asStorageError } from '../errors.js';

/** One-shot hashing (crypto.hash, Node ≥ 20.12): a third of the cost of a Hash object per line. */
export function sha256(text: string): string {
  return hash('sha256', text);
}

/**
 * The events as stored after `head` (its count and last hash): each with the
 * next seq, the time, the actor, its data redacted, and the hash of the line
 * before it; `lines` are their JSON texts (what the next event hashes).
 */
export function chainEvents(
  evs: readonly NewEvent[],
  head: { count: number; last: string },
  actor: string,
  now: () => Date,
): { events: TimelineEvent[]; lines: string[]; seq: number; last: string } {
  let seq = head.count;
  let prev = head.last;
  const events: TimelineEvent[] = [];
  const lines: string[] = [];
  for (const ev of evs) {
    const event = {
      seq: ++seq,
      time: ev.time ?? now().toISOString(),
      actor,
      type: ev.type,
      ...(ev.step !== undefined ? { step: ev.step } : {}),
      data: redactDeep(ev.data),
      prev,
    } as TimelineEvent;
    const line = JSON.stringify(event);
    prev = sha256(line);
    events.push(event);
    lines.push(line);
  }
  return { events, lines, seq, last: prev };
}

export interface WriterOptions {
  now?: () => Date;
  actor?: string;
}

export class TimelineWriter {
  readonly file: string;
  private readonly now: () => Date;
  /** Given, or looked up before the first append (actorName). */
  private actor: string | undefined;
  /** Tail state as of our last append, to skip re-reading when nobody else wrote. */
  private knownSize = -1;
  private lastHash = GENESIS;
  private lastSeq = 0;
  /** Appends from this process are serialised; the lock serialises across processes. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The timeline, open for the writer's life (its flock is taken on this descriptor). */
  private fd: number | undefined;
  /** The head file (headPath), open after the first append: one pwrite per append. */
  private headFd: number | undefined;

  constructor(file: string, opts: WriterOptions = {}) {
    this.file = file;
    this.now = opts.now ?? (() => new Date());
    this.actor = opts.actor;
    try {
      mkdirSync(dirname(file), { recursive: true });
      closeSync(openSync(file, 'a')); // created here; opened for writing on the first append
    } catch (e) {
      throw asStorageError(e, file) ?? e;
    }
  }

  /** Close the timeline (a writer used again reopens it). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.headFd !== undefined) closeSync(this.headFd);
    this.fd = undefined;
    this.headFd = undefined;
  }

  /** Append one event; resolves once it is on disk (fsync'd). */
  async append(ev: NewEvent): Promise<TimelineEvent> {
    const [event] = await this.appendAll([ev]);
    return event!;
  }

  /**
   * Append several events in order under one lock, in one write and one fsync;
   * resolves once all of them are on disk. Serialised with append().
   */
  appendAll(events: readonly NewEvent[]): Promise<TimelineEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    const run = this.queue.then(async () => this.appendLocked(events, (this.actor ??= await actorName())));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendLocked(evs: readonly NewEvent[], actor: string): Promise<TimelineEvent[]> {
    let fd: number;
    try {
      fd = this.fd ??= openSync(this.file, 'r+');
    } catch (e) {
      throw asStorageError(e, this.file) ?? e;
    }
    await lockForAppend(fd, this.file);
    try {
      this.syncTail(fd);
      const { events: written, lines, seq, last: prev } = chainEvents(evs, { count: this.lastSeq, last: this.lastHash }, actor, this.now);
      const bytes = Buffer.from(lines.map((l) => l + '\n').join(''));
      try {
        writeAll(fd, bytes, this.knownSize);
        fsyncSync(fd);
      } catch (e) {
        // a write cut short (disk full) is undone: the timeline ends with whole events
        try {
          ftruncateSync(fd, this.knownSize);
        } catch {
          // the next append cuts a torn line off anyway
        }
        throw asStorageError(e, this.file) ?? e;
      }
      this.knownSize += bytes.length;
      this.lastHash = prev;
      this.lastSeq = seq;
      this.writeHead(seq, prev);
      return written;
    } finally {
      unlockAfterAppend(fd);
    }
  }

  /**
   * Record the head after an append (under the append lock, once the events
   * are fsync'd; the head itself is not fsync'd: after a crash it can only be
   * behind the timeline, never ahead). A fixed-length record written in place
   * (one pwrite, no truncate). `incident verify` reports a timeline that ends
   * before its head: a deleted tail.
   */
  private writeHead(count: number, last: string): void {
    try {
      this.headFd ??= openSync(headPath(this.file), 'w');
      writeSync(this.headFd, JSON.stringify({ count, last }).padEnd(HEAD_BYTES - 1) + '\n', 0);
    } catch {
      // the events are written; a head not updated only weakens the tail check
    }
  }

  /** Re-read the tail when the file changed since our last append (another process wrote, or first use). */
  private syncTail(fd: number): void {
    const size = fstatSync(fd).size;
    if (size === this.knownSize) return;
    if (size === 0) {
      this.knownSize = 0;
      this.lastHash = GENESIS;
      this.lastSeq = 0;
      return;
    }
    // Read backwards until we have the last complete line.
    let chunk = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      let end = buf.length;
      if (buf[end - 1] !== 0x0a) {
        // A torn last line from a crash: keep its bytes beside the timeline, then cut it off.
        const nl = buf.lastIndexOf(0x0a);
        if (nl < 0 && start > 0) {
          chunk *= 4;
          continue;
        }
        appendFileSync(this.file + '.torn', buf.subarray(nl + 1));
        ftruncateSync(fd, start + nl + 1);
        fsyncSync(fd);
        return this.syncTail(fd);
      }
      end -= 1;
      const nl = buf.lastIndexOf(0x0a, end - 1);
      if (nl < 0 && start > 0) {
        chunk *= 4;
        continue;
      }
      const line = buf.subarray(nl + 1, end).toString('utf8');
      this.knownSize = size;
      this.lastHash = sha256(line);
      try {
        this.lastSeq = (JSON.parse(line) as { seq: number }).seq;
      } catch {
        this.lastSeq = this.lastSeq || 0;
      }
      return;
    }
  }
}

/** The head file beside a timeline: how many events it had after the last append, and the last one's hash. */
/** A head record's length: {"count":N,"last":"<64 hex>"} padded with spaces (JSON allows them). */
const HEAD_BYTES = 128;

export function headPath(file: string): string {
  return `${file.replace(/\.jsonl$/, '')}.head`;
}

/** One write when the kernel takes it all (it does for regular files); a short write is continued, never dropped. */
function writeAll(fd: number, bytes: Buffer, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

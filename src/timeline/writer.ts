/**
 * Appending to a timeline: one JSON line per event, under a lock (several
 * processes may append to one incident), fsync'd before append() returns, each
 * line carrying the sha256 of the previous line. Secrets are redacted before
 * anything is written.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, appendFileSync, ftruncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHash } from 'node:crypto';
import { lock } from 'proper-lockfile';
import { redactDeep } from '../secrets.js';
import { GENESIS, type NewEvent, type TimelineEvent } from './events.js';
import { currentActor } from './actor.js';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface WriterOptions {
  now?: () => Date;
  actor?: string;
}

export class TimelineWriter {
  readonly file: string;
  private readonly now: () => Date;
  private readonly actor: string;
  /** Tail state as of our last append, to skip re-reading when nobody else wrote. */
  private knownSize = -1;
  private lastHash = GENESIS;
  private lastSeq = 0;
  /** Appends from this process are serialised; the lock serialises across processes. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(file: string, opts: WriterOptions = {}) {
    this.file = file;
    this.now = opts.now ?? (() => new Date());
    this.actor = opts.actor ?? currentActor();
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file)) closeSync(openSync(file, 'a'));
  }

  /** Append one event; resolves once it is on disk (fsync'd). */
  append(ev: NewEvent): Promise<TimelineEvent> {
    const run = this.queue.then(() => this.appendLocked(ev));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendLocked(ev: NewEvent): Promise<TimelineEvent> {
    const release = await lock(this.file, {
      realpath: false,
      stale: 10_000,
      retries: { retries: 200, factor: 1.2, minTimeout: 2, maxTimeout: 50 },
    });
    try {
      const fd = openSync(this.file, 'r+');
      try {
        this.syncTail(fd);
        const event = {
          seq: this.lastSeq + 1,
          time: ev.time ?? this.now().toISOString(),
          actor: this.actor,
          type: ev.type,
          ...(ev.step !== undefined ? { step: ev.step } : {}),
          data: redactDeep(ev.data),
          prev: this.lastHash,
        } as TimelineEvent;
        const line = JSON.stringify(event);
        const bytes = Buffer.from(line + '\n');
        writeSync(fd, bytes, 0, bytes.length, this.knownSize);
        fsyncSync(fd);
        this.knownSize += bytes.length;
        this.lastHash = sha256(line);
        this.lastSeq = event.seq;
        return event;
      } finally {
        closeSync(fd);
      }
    } finally {
      await release();
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

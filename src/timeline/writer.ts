/**
 * Appending to a timeline: one JSON line per event, under a lock (several
 * processes may append to one incident), fsync'd before append() returns, each
 * line carrying the sha256 of the previous line. Secrets are redacted before
 * anything is written.
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
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, appendFileSync, ftruncateSync, writeSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHash } from 'node:crypto';
import { lock } from 'proper-lockfile';
import { redactDeep } from '../secrets.js';
import { GENESIS, type NewEvent, type TimelineEvent } from './events.js';
import { actorName } from './actor.js';

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
  /** Given, or looked up before the first append (actorName). */
  private actor: string | undefined;
  /** Tail state as of our last append, to skip re-reading when nobody else wrote. */
  private knownSize = -1;
  private lastHash = GENESIS;
  private lastSeq = 0;
  /** Appends from this process are serialised; the lock serialises across processes. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(file: string, opts: WriterOptions = {}) {
    this.file = file;
    this.now = opts.now ?? (() => new Date());
    this.actor = opts.actor;
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file)) closeSync(openSync(file, 'a'));
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
    const release = await acquireLock(this.file);
    try {
      const fd = openSync(this.file, 'r+');
      try {
        this.syncTail(fd);
        let seq = this.lastSeq;
        let prev = this.lastHash;
        const written: TimelineEvent[] = [];
        const lines: string[] = [];
        for (const ev of evs) {
          const event = {
            seq: ++seq,
            time: ev.time ?? this.now().toISOString(),
            actor,
            type: ev.type,
            ...(ev.step !== undefined ? { step: ev.step } : {}),
            data: redactDeep(ev.data),
            prev,
          } as TimelineEvent;
          const line = JSON.stringify(event);
          prev = sha256(line);
          written.push(event);
          lines.push(line + '\n');
        }
        const bytes = Buffer.from(lines.join(''));
        writeAll(fd, bytes, this.knownSize);
        fsyncSync(fd);
        this.knownSize += bytes.length;
        this.lastHash = prev;
        this.lastSeq = seq;
        return written;
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

/** One write when the kernel takes it all (it does for regular files); a short write is continued, never dropped. */
function writeAll(fd: number, bytes: Buffer, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

/**
 * Take the timeline's lock (proper-lockfile: an atomic mkdir of <file>.lock,
 * kept fresh while held, stale after 10 s). The holder's pid is written inside
 * the lock directory, so a lock left by a process that was killed (SIGKILL
 * mid-append) is recognised at once instead of after the stale period.
 */
async function acquireLock(file: string): Promise<() => Promise<void>> {
  const lockDir = `${file}.lock`;
  const pidFile = `${lockDir}/pid`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let delay = 2;
  for (;;) {
    try {
      const release = await lock(file, {
        realpath: false,
        stale: LOCK_STALE_MS,
        retries: 0,
        // losing the lock mid-append is only possible after a 10 s stall; the append itself is checked by verify
        onCompromised: () => undefined,
      });
      try {
        writeFileSync(pidFile, String(process.pid));
      } catch {
        // the pid is an optimisation for crash recovery; the stale period still applies
      }
      return async () => {
        rmSync(pidFile, { force: true });
        await release();
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
      if (holderIsDead(pidFile)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`could not lock ${file} within ${LOCK_WAIT_MS / 1000}s (another payctl is writing to it)`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 50);
    }
  }
}

function holderIsDead(pidFile: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8'));
  } catch {
    return false; // no pid yet: the holder is between mkdir and writing it
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Locks that die with their process: flock(2) (the fs-ext package) on a file
 * held open. The kernel releases the lock when its holder exits, however it
 * exits (SIGKILL included), so there is no stale-lock judgement anywhere: a
 * lock file is only a name. What a holder writes into it (its pid, host and
 * incident) is for the message another process shows when it is refused.
 * Lock files are never removed (removing one would let a process that opened
 * the old file and one that creates a new file both hold "the" lock).
 *
 * - the run lock (<incident>/run.flock): held by the process running an
 *   incident's steps (incident start, resume, a failover joining it); a
 *   second one is refused at once, naming the holder;
 * - the routing lock (<store>/.locks/routing-<hash>.flock): held while one
 *   routing target is read, written and read back (providers/switch.ts), so
 *   changes to it are serialized across incidents and processes;
 * - the append lock: the timeline file itself, locked by TimelineWriter on
 *   its open descriptor around each write (a kernel call, ~2 µs), so notes
 *   from other processes interleave with a run as whole, chained events.
 *
 * StoreLocks is what a store offers; the directory store implements it with
 * flock. A database store (issue 13) implements the same two calls with
 * advisory locks, which also die with their session.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { asStorageError, OperationError } from '../errors.js';

interface FsExt {
  flockSync(fd: number, flags: 'ex' | 'exnb' | 'un'): void;
}
let fsExt: FsExt | undefined;
/** fs-ext is a native addon: required (not bundled) on first use. */
function flock(): FsExt {
  return (fsExt ??= createRequire(import.meta.url)('fs-ext') as FsExt);
}

export type Release = () => Promise<void>;

/** Who holds a lock, as its holder wrote it. */
export interface LockHolder {
  pid?: number;
  host?: string;
  incident?: string;
}

export interface StoreLocks {
  /** The run lock of an incident; refused (exit 1) while another process runs it. */
  run(incidentId: string): Promise<Release>;
  /**
   * The lock of one routing target, waited for up to `waitMs`: `contended`
   * when another holder had it first (the caller re-reads what it changed).
   */
  routing(
    target: string,
    incidentId: string,
    waitMs: number,
  ): Promise<{ release: Release; contended?: LockHolder } | { holder: LockHolder }>;
  /**
   * Which of these incidents a live process runs now (its run lock is held), found without
   * taking any lock: a run with no end event is running if so, else it was interrupted.
   */
  runsHeld(incidentIds: readonly string[]): Promise<Set<string>>;
}

/** The locks of a directory store (the default). */
export function directoryStoreLocks(storeDir: string): StoreLocks {
  return {
    run: (id) => acquireRunLock(join(storeDir, id), id),
    runsHeld: async (ids) => new Set(ids.filter((id) => runLockHeld(join(storeDir, id)))),
    routing: (target, incident, waitMs) => acquireRoutingLock(storeDir, target, incident, waitMs),
  };
}

/** One attempt at an exclusive lock on `file` (created if needed): held, or who holds it. */
export function tryLockFile(file: string, about: LockHolder): { release: Release } | { holder: LockHolder } {
  let fd: number;
  try {
    fd = openSync(file, 'a+');
  } catch (e) {
    throw asStorageError(e, file) ?? e;
  }
  try {
    flock().flockSync(fd, 'exnb');
  } catch (e) {
    closeSync(fd);
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' && (e as NodeJS.ErrnoException).code !== 'EWOULDBLOCK') throw e;
    return { holder: readHolder(file) };
  }
  try {
    // for the messages of those refused: who holds it (the lock itself is the flock)
    ftruncateSync(fd, 0);
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), ...about }) + '\n', 0);
  } catch (e) {
    closeSync(fd);
    throw asStorageError(e, file) ?? e;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      try {
        ftruncateSync(fd, 0);
      } catch {
        // the file says who held it last: a message only
      }
      closeSync(fd); // closing the last descriptor releases the flock
    },
  };
}

/** What the holder wrote; empty for a moment between its flock and its write. */
function readHolder(file: string): LockHolder {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text ? (JSON.parse(text) as LockHolder) : {};
  } catch {
    return {};
  }
}

/** `(pid 123)`, `(pid 123 on host-b)`, or nothing when the holder has not written it yet. */
export function describeHolder(h: LockHolder): string {
  if (h.pid === undefined) return '';
  return h.host && h.host !== hostname() ? ` (pid ${h.pid} on ${h.host})` : ` (pid ${h.pid})`;
}

async function tryWithHolderNamed(file: string, about: LockHolder): Promise<{ release: Release } | { holder: LockHolder }> {
  let got = tryLockFile(file, about);
  // a holder writes who it is right after taking the lock: give it a moment to be named
  for (let i = 0; i < 10 && 'holder' in got && got.holder.pid === undefined; i++) {
    await new Promise((r) => setTimeout(r, 10));
    got = tryLockFile(file, about);
  }
  return got;
}

/** The run lock of an incident; refused (exit 1) while another live process runs it. */
export async function acquireRunLock(incidentDir: string, id: string): Promise<Release> {
  const got = await tryWithHolderNamed(join(incidentDir, 'run.flock'), { incident: id });
  if ('release' in got) return got.release;
  throw new OperationError(
    `incident ${id} is being run by another payctl${describeHolder(got.holder)}: two runs would page, notify and switch twice`,
    'wait for that run to finish or stop it (Ctrl-C there saves the incident), then payctl incident resume; a note or status change can be added meanwhile',
  );
}

/**
 * Whether a live process holds an incident's run lock (a run in progress),
 * without taking it: the lock file is opened read-only and never created.
 * No lock file: no run ever held it.
 */
export function runLockHeld(incidentDir: string): boolean {
  let fd: number;
  try {
    fd = openSync(join(incidentDir, 'run.flock'), 'r');
  } catch {
    return false;
  }
  try {
    flock().flockSync(fd, 'exnb');
    flock().flockSync(fd, 'un');
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return true;
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** The file that locks one routing target (named by a hash of what identifies it). */
export function routingLockFile(storeDir: string, target: string): string {
  return join(storeDir, '.locks', `routing-${createHash('sha256').update(target).digest('hex').slice(0, 16)}.flock`);
}

/**
 * The lock of a routing target, waited for up to `waitMs` (another switch of
 * the same routing takes a few round trips). `contended`: someone else held it
 * first, so the routing may have changed since this run decided to switch.
 */
export async function acquireRoutingLock(
  storeDir: string,
  target: string,
  incident: string,
  waitMs: number,
): Promise<{ release: Release; contended?: LockHolder } | { holder: LockHolder }> {
  const dir = join(storeDir, '.locks');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw asStorageError(e, dir) ?? e;
  }
  const file = routingLockFile(storeDir, target);
  const deadline = Date.now() + waitMs;
  let first: LockHolder | undefined;
  let delay = 5;
  for (;;) {
    const got = tryLockFile(file, { incident });
    if ('release' in got) return first ? { release: got.release, contended: first } : got;
    if (!first || first.pid === undefined) first = got.holder;
    if (Date.now() > deadline) return { holder: got.holder.pid === undefined ? first : got.holder };
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
}

const APPEND_WAIT_MS = 15_000;

/**
 * Lock an open timeline for one append: at once when free (the usual case),
 * else polled (a note's write takes a millisecond; a holder stopped mid-write
 * would otherwise hang this process: after 15 s it is an error).
 */
export async function lockForAppend(fd: number, file: string): Promise<void> {
  const deadline = Date.now() + APPEND_WAIT_MS;
  let delay = 1;
  for (;;) {
    try {
      flock().flockSync(fd, 'exnb');
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') throw e;
    }
    if (Date.now() > deadline)
      throw new OperationError(
        `could not lock ${file} within ${APPEND_WAIT_MS / 1000}s: another payctl is stuck writing to it`,
        'find the other payctl process (a stopped one, e.g. Ctrl-Z) and let it go on, or end it',
      );
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 20);
  }
}

export function unlockAfterAppend(fd: number): void {
  flock().flockSync(fd, 'un');
}

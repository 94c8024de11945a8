/**
 * The two locks of an incident, both proper-lockfile (an atomic mkdir of
 * <file>.lock, kept fresh while held, stale after a while), with the holder's
 * pid written inside so that a lock left by a killed process (SIGKILL) is
 * taken over at once instead of after the stale period (one killed before it
 * wrote its pid: after PID_GRACE_MS). A lock judged abandoned is removed only
 * if it is still the one judged (removeAbandoned):
 *
 * - the append lock (timeline.jsonl.lock), held only while events are
 *   written: other processes wait for it (a note from a second terminal
 *   during a run is fine);
 * - the run lock (run.lock in the incident's directory), held by the process
 *   running the incident's steps (incident start, resume, a failover or
 *   failback that joins it): a second one is refused, so two runs of one
 *   incident never page, notify or switch twice.
 */
import { hostname } from 'node:os';
import { readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { OperationError } from '../errors.js';

const APPEND_STALE_MS = 10_000;
const APPEND_WAIT_MS = 15_000;
/** A run holds its lock for minutes or hours; proper-lockfile refreshes it every RUN_STALE_MS / 2. */
const RUN_STALE_MS = 30_000;
/**
 * A holder writes its pid within microseconds of creating the lock (or gives
 * the lock up): a lock still without one this long after its last change was
 * left by a process killed in between.
 */
const PID_GRACE_MS = 1000;

type Release = () => Promise<void>;

/** The append lock of a timeline: waits (up to 15 s) for a live holder. */
export async function acquireLock(file: string): Promise<Release> {
  const deadline = Date.now() + APPEND_WAIT_MS;
  let delay = 2;
  for (;;) {
    const got = await tryLock(file, APPEND_STALE_MS);
    if (got.release) return got.release;
    if (Date.now() > deadline) throw new Error(`could not lock ${file} within ${APPEND_WAIT_MS / 1000}s (another payctl is writing to it)`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
}

/** The run lock of an incident; refused (exit 1) while another live process runs it. `staleMs`: tests only. */
export async function acquireRunLock(incidentDir: string, id: string, staleMs = RUN_STALE_MS): Promise<Release> {
  const deadline = Date.now() + PID_GRACE_MS + 500;
  let got = await tryLock(join(incidentDir, 'run'), staleMs);
  // a lock without a pid yet: its holder is writing it, or died doing so (then it is taken over after PID_GRACE_MS)
  while (!got.release && !got.holder && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    got = await tryLock(join(incidentDir, 'run'), staleMs);
  }
  if (got.release) return got.release;
  const holder = got.holder ? ` (pid ${got.holder})` : '';
  throw new OperationError(
    `incident ${id} is being run by another payctl${holder}: two runs would page, notify and switch twice`,
    'wait for that run to finish or stop it (Ctrl-C there saves the incident), then payctl incident resume; a note or status change can be added meanwhile',
  );
}

/** One attempt: the release function, or who holds it (a live process, or one between mkdir and writing its pid). */
async function tryLock(file: string, staleMs: number): Promise<{ release?: Release; holder?: string }> {
  const pidFile = `${file}.lock/pid`;
  for (;;) {
    try {
      const release = await lock(file, {
        realpath: false,
        stale: staleMs,
        retries: 0,
        // losing the lock while holding it is only possible after a stall longer than the stale period
        onCompromised: () => undefined,
      });
      try {
        // proper-lockfile keeps the lock fresh by setting its mtime, and gives the lock up as
        // compromised when the mtime is not the one it set: adding the file must not change it
        const { atime, mtime } = statSync(`${file}.lock`);
        // written whole or not at all: a kill mid-write must not leave a pid that names some other process
        writeFileSync(`${pidFile}.new`, `${process.pid} ${hostname()} ${ownStartTime() ?? ''}`.trimEnd());
        renameSync(`${pidFile}.new`, pidFile);
        utimesSync(`${file}.lock`, atime, mtime);
      } catch (e) {
        // others take a lock without a pid for abandoned: one that cannot carry it is not held
        await release().catch(() => undefined);
        throw new Error(`cannot write ${pidFile}: ${(e as Error).message}`);
      }
      return {
        release: async () => {
          try {
            unlinkSync(pidFile);
          } catch {
            // already gone
          }
          await release();
        },
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const lockDir = `${file}.lock`;
      if (code === 'ENOTEMPTY') {
        // proper-lockfile found the lock stale and removes it with rmdir, which our pid file stops
        const stale = () => unchangedFor(lockDir, staleMs, 'mtimeMs');
        const seen = readPidFile(pidFile); // read before judging: a later holder's pid file is then told apart
        if (stale()) removeAbandoned(file, seen, stale);
        continue;
      }
      if (code !== 'ELOCKED') throw e;
      const seen = readPidFile(pidFile);
      const holder = seen === undefined ? undefined : parseHolder(seen);
      if (holder) {
        if (!isDead(holder)) return { holder: String(holder.pid) };
        removeAbandoned(file, seen, () => true);
        continue;
      }
      // no pid (or an empty or cut one): its holder is writing it, or was killed doing so
      const abandoned = () => unchangedFor(lockDir, PID_GRACE_MS, 'ctimeMs');
      if (!abandoned()) return {};
      removeAbandoned(file, seen, abandoned);
      continue;
    }
  }
}

interface Holder {
  pid: number;
  host?: string;
  /** When the process started (Linux: /proc/<pid>/stat), to tell it from a later process given the same pid. */
  started?: string;
}

/** The pid file's text, or undefined when there is none yet (the holder is between mkdir and writing it). */
function readPidFile(pidFile: string): string | undefined {
  try {
    return readFileSync(pidFile, 'utf8');
  } catch {
    return undefined;
  }
}

/** The holder a pid file names, or undefined when it names nobody (empty, or cut short by a kill). */
function parseHolder(text: string): Holder | undefined {
  const [pid, host, started] = text.trim().split(' ');
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 ? { pid: n, host, started } : undefined;
}

/** The lock directory has not changed for `ms` (mtime: refreshed by its holder; ctime: any change at all). */
function unchangedFor(lockDir: string, ms: number, time: 'mtimeMs' | 'ctimeMs'): boolean {
  try {
    return Date.now() - statSync(lockDir)[time] > ms;
  } catch {
    return false; // gone meanwhile: the next attempt finds out
  }
}

/**
 * Remove a lock found abandoned (its holder dead, stale, or killed before it
 * wrote its pid), unless another process took it over meanwhile. The pid file
 * judged is claimed first by renaming it, which only one process can do; a
 * claimed file that is not the one judged (a new holder's) is put back and
 * the lock left alone. Without a pid file, `still` is asked again just before.
 */
export function removeAbandoned(file: string, judged: string | undefined, still: () => boolean): void {
  const lockDir = `${file}.lock`;
  const pidFile = `${lockDir}/pid`;
  if (judged === undefined) {
    if (!still()) return;
  } else {
    const claim = `${pidFile}.${process.pid}.taken`;
    try {
      renameSync(pidFile, claim);
    } catch {
      return; // another process claimed it first
    }
    if (readPidFile(claim) !== judged) {
      try {
        renameSync(claim, pidFile);
      } catch {
        // the lock went meanwhile
      }
      return;
    }
  }
  rmSync(lockDir, { recursive: true, force: true });
}

/**
 * Dead for sure: a process of this machine (same host, or no host written)
 * that no longer exists, or whose pid now belongs to a process started later
 * (pids are reused, quickly where pid_max is small).
 */
function isDead(holder: Holder): boolean {
  if (holder.pid === process.pid) {
    // this process holds it (two appends at once), unless an earlier process had this pid
    const mine = ownStartTime();
    return holder.started !== undefined && mine !== undefined && holder.started !== mine;
  }
  if (holder.host && holder.host !== hostname()) return false; // another machine sharing the store: only the stale period applies
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const now = startTime(holder.pid);
  return holder.started !== undefined && now !== undefined && now !== holder.started;
}

let ownStart: string | undefined | null = null;
function ownStartTime(): string | undefined {
  if (ownStart === null) ownStart = startTime(process.pid);
  return ownStart;
}

/** The start time of a process, in clock ticks since boot (Linux); undefined elsewhere. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses; starttime is the 20th field after it
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

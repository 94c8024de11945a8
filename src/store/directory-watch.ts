/**
 * Watching a directory store (incident follow, incident list --watch): file
 * watching. An incident: fs.watch on its directory wakes a read of the bytes
 * appended to its timeline since the last event seen (a torn last line is
 * left for the next read). The store: fs.watch on the store directory (a new
 * incident) and a look at each timeline's size and mtime. fs.watch can miss
 * events (network filesystems, some containers), so a poll every
 * POLL_MS does the same check; a wake-up with nothing new costs one fstat.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { TimelineEvent } from '../timeline/events.js';
import { scanTimeline } from '../timeline/read.js';
import { timelinePath } from '../timeline/store.js';
import type { DirectoryStore } from './directory.js';

export const POLL_MS = 500;

/**
 * Calls `check` when something may have changed (fs.watch) and every POLL_MS,
 * one call at a time, until `signal` aborts (resolves) or `check` throws (rejects).
 */
function wakeUps(watched: string, check: () => void, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return resolve();
    let watcher: FSWatcher | undefined;
    const done = (error?: unknown) => {
      clearInterval(timer);
      watcher?.close();
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => done();
    const run = () => {
      if (signal.aborted) return;
      try {
        check();
      } catch (e) {
        done(e);
      }
    };
    const timer = setInterval(run, POLL_MS);
    try {
      watcher = watch(watched, { persistent: true }, run);
      // a watcher that fails later (the directory removed) leaves the poll to carry on
      watcher.on('error', () => watcher?.close());
    } catch {
      // cannot watch (no such directory yet, no inotify): the poll alone
    }
    signal.addEventListener('abort', onAbort, { once: true });
    run();
  });
}

export async function watchDirectoryIncident(
  _store: DirectoryStore,
  timelineFile: string,
  after: number,
  onEvents: (events: TimelineEvent[]) => void,
  signal: AbortSignal,
): Promise<void> {
  let seen = after;
  // the byte offset just past the last complete line read: only what follows is read again
  // (the first read, at the start, takes the whole file and keeps the events after `after`)
  let offset = 0;
  await wakeUps(
    dirname(timelineFile),
    () => {
      const fd = openSync(timelineFile, 'r');
      try {
        const size = fstatSync(fd).size;
        if (size <= offset) return;
        const buf = Buffer.alloc(size - offset);
        const read = readSync(fd, buf, 0, buf.length, offset);
        // complete lines only: a line being written now is read with the next wake-up
        const end = buf.lastIndexOf(0x0a, read - 1) + 1;
        if (end === 0) return;
        offset += end;
        const events: TimelineEvent[] = [];
        scanTimeline(buf.subarray(0, end), {
          event(ev) {
            if (ev.seq > seen) events.push(ev);
          },
          problem() {},
        });
        if (!events.length) return;
        seen = events.at(-1)!.seq;
        onEvents(events);
      } finally {
        closeSync(fd);
      }
    },
    signal,
  );
}

export async function watchDirectoryList(
  store: DirectoryStore,
  onChange: (id: string) => void,
  signal: AbortSignal,
  ready?: () => Promise<void>,
): Promise<void> {
  const seen = new Map<string, string>();
  const look = (report: boolean) => {
    // one stat per incident: its timeline's size and mtime (no timeline yet: not an incident yet)
    for (const id of incidentDirs(store.dir)) {
      const st = statSync(timelinePath(store.dir, id), { throwIfNoEntry: false });
      if (!st) continue;
      const mark = `${st.size}:${st.mtimeMs}`;
      if (seen.get(id) === mark) continue;
      seen.set(id, mark);
      if (report) onChange(id);
    }
  };
  // learn what is there; anything that differs from it later is a change (the first wake-up compares too)
  look(false);
  await ready?.();
  await wakeUps(store.dir, () => look(true), signal);
}

function incidentDirs(storeDir: string): string[] {
  try {
    return readdirSync(storeDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []; // no incident yet
    throw e;
  }
}

/**
 * The directory store (the default): one directory per incident under the
 * store directory, each with its timeline.jsonl (timeline/store.ts, writer.ts)
 * and its locks as flock files (timeline/lock.ts). Watching is file watching
 * (directory-watch.ts); listing reads a cache of listed states (directory-listed.ts).
 */
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { asStorageError } from '../errors.js';
import type { NewEvent, TimelineEvent } from '../timeline/events.js';
import { directoryStoreLocks, type StoreLocks } from '../timeline/lock.js';
import {
  readRawLines,
  readTimelineFile,
  scanTimeline,
  scanTimelineFile,
  type RawLineVisitor,
  type ReadTimeline,
  type TimelineVisitor,
} from '../timeline/read.js';
import { newestFirst } from '../timeline/incident-id.js';
import type { IncidentState } from '../timeline/replay.js';
import { existingTimeline, incidentDir, listIncidentIds, replayFile, TIMELINE_FILE, timelineOf, timelinePath } from '../timeline/store.js';
import { verifyTimeline, type VerifyReport } from '../timeline/verify.js';
import { sha256, TimelineWriter } from '../timeline/writer.js';
import { GENESIS } from '../timeline/events.js';
import type {
  AppenderOptions,
  Derivation,
  Derived,
  IncidentAppender,
  IncidentSummary,
  ListedState,
  ListPage,
  ListQuery,
  ReplayedIncident,
  Store,
  StoreHead,
} from './store.js';
import { watchDirectoryIncident, watchDirectoryList } from './directory-watch.js';
import { ListedCache } from './directory-listed.js';
import { TimelineCache } from './timeline-cache.js';

export class DirectoryStore implements Store {
  readonly kind = 'directory' as const;
  readonly location: string;
  readonly locks: StoreLocks;

  constructor(readonly dir: string) {
    this.location = dir;
    this.locks = directoryStoreLocks(dir);
    this.listedCache = new ListedCache(dir);
  }

  where(id: string, line?: number): string {
    return timelinePath(this.dir, id) + (line === undefined ? '' : `:${line}`);
  }

  /** The incident's directory (files kept beside its timeline: the postmortem draft). */
  incidentDir(id: string): string {
    return incidentDir(this.dir, id);
  }

  async create(id: string, opts: AppenderOptions = {}): Promise<IncidentAppender> {
    makeIncidentDir(this.dir, incidentDir(this.dir, id));
    return new FileAppender(id, new TimelineWriter(timelinePath(this.dir, id), opts));
  }

  async appender(id: string, opts: AppenderOptions = {}): Promise<IncidentAppender> {
    return new FileAppender(id, new TimelineWriter(existingTimeline(this.dir, id), opts));
  }

  async removeEmpty(id: string): Promise<boolean> {
    const dir = incidentDir(this.dir, id);
    try {
      if ((statSync(join(dir, TIMELINE_FILE), { throwIfNoEntry: false })?.size ?? 0) > 0) return false;
      rmSync(dir, { recursive: true, force: true });
      return true;
    } catch {
      return true; // a read-only store: nothing was created in it either
    }
  }

  async require(id: string): Promise<void> {
    existingTimeline(this.dir, id);
  }

  async scan(id: string, visit: TimelineVisitor): Promise<void> {
    this.openTimeline(id, (file) => scanTimelineFile(file, visit));
  }

  async lines(id: string, visit: RawLineVisitor): Promise<void> {
    this.openTimeline(id, (file) => readRawLines(file, visit));
  }

  /**
   * `read` given the incident's timeline file, opened without a stat first (a
   * report reads thousands); when it is missing, existingTimeline's exit 2.
   */
  private openTimeline(id: string, read: (file: string) => void): void {
    try {
      read(timelineOf(this.dir, id));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') existingTimeline(this.dir, id);
      throw e;
    }
  }

  async read(id: string): Promise<ReadTimeline> {
    return readTimelineFile(existingTimeline(this.dir, id));
  }

  async replay(id: string): Promise<ReplayedIncident> {
    return replayFile(existingTimeline(this.dir, id));
  }

  async verify(id: string): Promise<VerifyReport> {
    return verifyTimeline(existingTimeline(this.dir, id));
  }

  async head(id: string): Promise<StoreHead | undefined> {
    let file: string;
    try {
      file = existingTimeline(this.dir, id);
    } catch {
      return undefined;
    }
    let head: StoreHead = { count: 0, last: GENESIS };
    scanTimeline(readFileSync(file), {
      event(ev, _line, _no, bytes) {
        head = { count: ev.seq, last: sha256(bytes.toString('utf8')) };
      },
      problem() {},
    });
    return head;
  }

  async ids(): Promise<string[]> {
    return listIncidentIds(this.dir);
  }

  private readonly listedCache: ListedCache;

  /** From the cache of listed states, each checked against its timeline (directory-listed.ts). */
  async list(only?: readonly string[]): Promise<IncidentSummary[]> {
    return this.listedCache.list(only);
  }

  /** Every incident's listed state is checked against its timeline anyway: the page is cut from them all. */
  async listPage(query: ListQuery): Promise<ListPage> {
    return this.listedCache.page(query);
  }

  /** The values kept in <store>/.<name>.json while each timeline is unchanged (timeline-cache.ts). */
  async eachDerived<V>(derivation: Derivation<V>, visit: (d: Derived<V>) => void): Promise<void> {
    await new TimelineCache<V>(this.dir, derivation.name, derivation.version).walk((_file, id) => derivation.derive(id), visit);
  }

  /** Newest first by opened_at within an id's second (newestFirst); only those `among` keeps are replayed. */
  async latest(matches: (state: IncidentState) => boolean, among?: (listed: ListedState) => boolean): Promise<string | undefined> {
    for (const { id, state } of newestFirst(
      await this.list(),
      (s) => s.id,
      (s) => s.state?.opened_at,
    )) {
      if (!state || (among && !among(state))) continue; // broken, or cut by its listed state: not replayed
      if (matches(replayFile(timelinePath(this.dir, id)).state)) return id;
    }
    return undefined;
  }

  async watch(id: string, after: number, onEvents: (events: TimelineEvent[]) => void, signal: AbortSignal): Promise<void> {
    return watchDirectoryIncident(this, existingTimeline(this.dir, id), after, onEvents, signal);
  }

  async watchList(onChange: (id: string) => void, signal: AbortSignal, ready?: () => Promise<void>): Promise<void> {
    return watchDirectoryList(this, onChange, signal, ready);
  }

  async close(): Promise<void> {}
}

class FileAppender implements IncidentAppender {
  constructor(
    readonly id: string,
    private readonly writer: TimelineWriter,
  ) {}

  appendAll(events: readonly NewEvent[]): Promise<TimelineEvent[]> {
    return this.writer.appendAll(events);
  }

  async close(): Promise<void> {
    this.writer.close();
  }
}

/**
 * The store, then the incident's own directory with a plain mkdir: a
 * recursive one reports a read-only filesystem as ENOENT.
 */
function makeIncidentDir(storeDir: string, dir: string): void {
  try {
    mkdirSync(storeDir, { recursive: true });
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw asStorageError(e, dir) ?? e;
  }
}

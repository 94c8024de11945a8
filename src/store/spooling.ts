/**
 * A database store that keeps working when the database does not answer:
 * appends that cannot reach it (when the command starts, or from the moment
 * it goes away mid-run) go to the local spool (spool.ts), said loudly on
 * stderr and in --json ("store": "spooled"); locks fall back to this
 * machine's (flock) locks; finding the incident to join gives up (a new one
 * is opened in the spool). Reads of an incident opened while spooling come
 * from the spool, and listings then show those (said on stderr); an incident
 * the database holds cannot be read until it answers.
 * When the command ends, and at the start of the next one, waiting spools are
 * pushed (push.ts) if the database answers again.
 */
import { join } from 'node:path';
import type { Output } from '../output.js';
import type { NewEvent, TimelineEvent } from '../timeline/events.js';
import { directoryStoreLocks, type LockHolder, type Release, type StoreLocks } from '../timeline/lock.js';
import type { RawLineVisitor, TimelineVisitor } from '../timeline/read.js';
import type { IncidentState } from '../timeline/replay.js';
import { isUnreachable, StoreUnavailableError } from './pg-client.js';
import type { PostgresStore } from './postgres.js';
import { pushSpool } from './push.js';
import { Spool } from './spool.js';
import { markSpooled } from './spool-state.js';
import { pageOf } from './listed.js';
import type { AppenderOptions, Derivation, Derived, IncidentAppender, ListedState, ListQuery, Store, WatchNotices } from './store.js';

export class SpoolingStore implements Store {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly locks: StoreLocks;
  readonly spool: Spool;
  private readonly holds: Release[] = [];
  private warned = new Set<string>();
  /** Whether this command has said that only the spool's incidents are seen. */
  private saidSpoolOnly = false;

  constructor(
    readonly db: PostgresStore,
    localDir: string,
    private readonly out: Output,
  ) {
    this.location = db.location;
    this.spool = new Spool(join(localDir, '.spool'));
    const local = directoryStoreLocks(this.spool.dir);
    this.locks = {
      run: (id) =>
        this.orLocal(
          () => db.locks.run(id),
          () => local.run(id),
          `the run lock of ${id}`,
        ),
      routing: (target, id, waitMs): Promise<{ release: Release; contended?: LockHolder } | { holder: LockHolder }> =>
        this.orLocal(
          () => db.locks.routing(target, id, waitMs),
          () => local.routing(target, id, waitMs),
          'the routing lock',
        ),
      // the database away: a run of a spooled incident holds this machine's lock
      runsHeld: (ids) => db.locks.runsHeld(ids).catch((e) => (isUnreachable(e) ? local.runsHeld(ids) : Promise.reject(e))),
    };
  }

  where(id: string, line?: number): string {
    return this.db.where(id, line);
  }

  /** The database's answer, or (when it cannot be reached) this machine's lock, with a warning. */
  private async orLocal<T>(remote: () => Promise<T>, local: () => Promise<T>, what: string): Promise<T> {
    try {
      return await remote();
    } catch (e) {
      if (!isUnreachable(e)) throw e;
      this.out.warn(`${(e as Error).message}; ${what} is held on this machine only`);
      return local();
    }
  }

  /** Switch an incident to the spool, saying so once per incident. */
  async spooled(id: string, existing: boolean, opts: AppenderOptions, why: unknown): Promise<IncidentAppender> {
    const { appender, file, release } = await this.spool.appender(id, existing, opts);
    this.holds.push(release);
    markSpooled();
    if (!this.warned.has(id)) {
      this.warned.add(id);
      const reason = why instanceof StoreUnavailableError ? why.reason : (why as Error).message;
      this.out.info(
        `payctl: THE INCIDENT STORE (${this.location}) CANNOT BE REACHED (${reason}): incident ${id} goes on in the local spool ${file}; ` +
          'nothing is lost: it is pushed when the database answers (the next payctl command, or payctl store push)',
      );
    }
    return appender;
  }

  async create(id: string, opts: AppenderOptions = {}): Promise<IncidentAppender> {
    try {
      return new FallbackAppender(this, id, false, await this.db.create(id, opts), opts);
    } catch (e) {
      if (!isUnreachable(e)) throw e;
      return this.spooled(id, false, opts, e);
    }
  }

  async appender(id: string, opts: AppenderOptions = {}): Promise<IncidentAppender> {
    try {
      return new FallbackAppender(this, id, true, await this.db.appender(id, opts), opts);
    } catch (e) {
      if (!isUnreachable(e)) throw e;
      return this.spooled(id, true, opts, e);
    }
  }

  async removeEmpty(id: string): Promise<boolean> {
    return this.db.removeEmpty(id);
  }

  /**
   * A read of one incident: from the database, or, when it cannot be reached,
   * from the spool for an incident opened while spooling (the spool holds all
   * of it; of an incident the database has, it holds only the tail).
   */
  private async read1<T>(id: string, fromDb: () => Promise<T>, fromSpool: () => Promise<T>): Promise<T> {
    try {
      return await fromDb();
    } catch (e) {
      if (!isUnreachable(e) || !this.spool.pending().some((p) => p.id === id && !p.meta.existing)) throw e;
      return fromSpool();
    }
  }

  require(id: string) {
    return this.read1(
      id,
      () => this.db.require(id),
      () => this.spool.store.require(id),
    );
  }
  /**
   * The database's events, then (when it goes away mid-scan) the spool's
   * after the last line delivered: each is visited once (line n holds seq n in both).
   */
  scan(id: string, visit: TimelineVisitor) {
    const { fromDb, fromSpool } = onceAcross(visit);
    return this.read1(
      id,
      () => this.db.scan(id, fromDb),
      () => this.spool.store.scan(id, fromSpool),
    );
  }
  /** As scan: the spool's lines after the last one the database delivered. */
  lines(id: string, visit: RawLineVisitor) {
    let delivered = 0;
    return this.read1(
      id,
      () =>
        this.db.lines(id, (bytes, start, end, lineNo) => {
          delivered = lineNo;
          visit(bytes, start, end, lineNo);
        }),
      () =>
        this.spool.store.lines(id, (bytes, start, end, lineNo) => {
          if (lineNo > delivered) visit(bytes, start, end, lineNo);
        }),
    );
  }
  read(id: string) {
    return this.read1(
      id,
      () => this.db.read(id),
      () => this.spool.store.read(id),
    );
  }
  replay(id: string) {
    return this.read1(
      id,
      () => this.db.replay(id),
      () => this.spool.store.replay(id),
    );
  }
  verify(id: string) {
    return this.read1(
      id,
      () => this.db.verify(id),
      () => this.spool.store.verify(id),
    );
  }
  head(id: string) {
    return this.read1(
      id,
      () => this.db.head(id),
      () => this.spool.store.head(id),
    );
  }
  /** The incidents opened on this machine while the database could not be reached: the spool holds all of each. */
  private openedInSpool(): string[] {
    return this.spool
      .pending()
      .filter((p) => !p.meta.existing)
      .map((p) => p.id)
      .sort();
  }

  /** The database's answer or, when it cannot be reached, the same of the incidents opened in the spool, with a warning. */
  private async orSpooled<T>(fromDb: () => Promise<T>, fromSpool: (ids: string[]) => Promise<T>): Promise<T> {
    try {
      return await fromDb();
    } catch (e) {
      if (!isUnreachable(e)) throw e;
      if (!this.saidSpoolOnly) {
        this.saidSpoolOnly = true;
        this.out.warn(`${(e as Error).message}; only the incidents opened in this machine's spool are seen until it answers`);
      }
      return fromSpool(this.openedInSpool());
    }
  }

  ids() {
    return this.orSpooled(
      () => this.db.ids(),
      async (ids) => ids,
    );
  }
  list(only?: readonly string[]) {
    return this.orSpooled(
      () => this.db.list(only),
      (ids) => this.spool.store.list(only ? ids.filter((id) => only.includes(id)) : ids),
    );
  }
  listPage(query: ListQuery) {
    return this.orSpooled(
      () => this.db.listPage(query),
      async (ids) =>
        pageOf(
          await this.spool.store.list(ids),
          query,
          (s) => s.state,
          (s) => s,
        ),
    );
  }
  /** The report needs every incident: the database's. */
  eachDerived<V>(derivation: Derivation<V>, visit: (d: Derived<V>) => void) {
    return this.db.eachDerived(derivation, visit);
  }

  /** Finding the incident to join: when the database is away, none is found (a new incident is opened in the spool). */
  async latest(matches: (state: IncidentState) => boolean, among?: (listed: ListedState) => boolean): Promise<string | undefined> {
    try {
      return await this.db.latest(matches, among);
    } catch (e) {
      if (!isUnreachable(e)) throw e;
      this.out.warn(`${(e as Error).message}; the open incident to join cannot be looked up, so a new one is opened`);
      return undefined;
    }
  }

  watch(id: string, after: number, onEvents: (events: TimelineEvent[]) => void, signal: AbortSignal, notices?: WatchNotices) {
    return this.db.watch(id, after, onEvents, signal, notices);
  }
  watchList(onChange: (id: string) => void, signal: AbortSignal, ready?: () => Promise<void>, notices?: WatchNotices) {
    return this.db.watchList(onChange, signal, ready, notices);
  }

  /** Every incident this process has pushed so far (the push as the store opened included). */
  readonly pushedSoFar: Awaited<ReturnType<typeof pushSpool>>['pushed'] = [];

  /** Push what waits in the spool (this process's spooled incidents included, now that it is done with them). */
  async push(opts: { quiet?: boolean } = {}): Promise<Awaited<ReturnType<typeof pushSpool>>> {
    for (const release of this.holds.splice(0)) await release();
    const done = await pushSpool(this.db, this.spool, this.out, opts);
    this.pushedSoFar.push(...done.pushed);
    return done;
  }

  async close(): Promise<void> {
    if (this.spool.pending().length) await this.push({ quiet: true }).catch(() => undefined);
    await this.db.close();
  }
}

/**
 * A visitor for the database's scan that notes the last line it delivered,
 * and one for the spool's that delivers only the lines after it.
 */
function onceAcross(visit: TimelineVisitor): { fromDb: TimelineVisitor; fromSpool: TimelineVisitor } {
  let delivered = 0;
  const fromDb: TimelineVisitor = {
    event(ev, line, lineNo, bytes) {
      delivered = lineNo;
      visit.event(ev, line, lineNo, bytes);
    },
    problem(p) {
      delivered = Math.max(delivered, p.line);
      visit.problem(p);
    },
  };
  const fromSpool: TimelineVisitor = {
    event(ev, line, lineNo, bytes) {
      if (lineNo > delivered) visit.event(ev, line, lineNo, bytes);
    },
    problem(p) {
      if (p.line > delivered) visit.problem(p);
    },
  };
  return { fromDb, fromSpool };
}

/** A database appender that moves to the spool when the database goes away mid-run. */
class FallbackAppender implements IncidentAppender {
  private inSpool: IncidentAppender | undefined;

  constructor(
    private readonly store: SpoolingStore,
    readonly id: string,
    private readonly existing: boolean,
    private readonly remote: IncidentAppender,
    private readonly opts: AppenderOptions,
  ) {}

  async appendAll(events: readonly NewEvent[]): Promise<TimelineEvent[]> {
    if (this.inSpool) return this.inSpool.appendAll(events);
    try {
      return await this.remote.appendAll(events);
    } catch (e) {
      if (!isUnreachable(e)) throw e;
      // whether the database took them before the connection went is settled at the push (already_stored)
      this.inSpool = await this.store.spooled(this.id, this.existing || (await this.openedRemotely()), this.opts, e);
      return this.inSpool.appendAll(events);
    }
  }

  /** A new incident whose first events reached the database: the spool continues it. */
  private async openedRemotely(): Promise<boolean> {
    return (this.remote as { opened?: boolean }).opened === true;
  }

  async close(): Promise<void> {
    await this.inSpool?.close();
    await this.remote.close();
  }
}

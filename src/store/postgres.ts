/**
 * The PostgreSQL store: a team's incidents in one database (schema in
 * pg-schema.ts). The event model is the directory store's: each event's
 * line is stored exactly as hashed, with its seq and prev. An append is one
 * statement, payctl_append (pg-schema.ts): the appender chains the events
 * onto the head it last saw; the function locks the incident's row, refuses
 * if the head moved (the appender re-reads it and chains again), inserts them
 * (a trigger checks each against the head and moves it), stores the replayed
 * state and notifies listeners (payctl_events: "<id> <last seq>"), so
 * concurrent appenders on different machines make one linear chain. Verify compares the chain with the recorded
 * head, which catches a deleted tail.
 */
import type { Pool, PoolClient } from 'pg';
import { InvalidInputError, OperationError } from '../errors.js';
import { actorName } from '../timeline/actor.js';
import { idSecond, newestFirst } from '../timeline/incident-id.js';
import { GENESIS, type NewEvent, type TimelineEvent } from '../timeline/events.js';
import {
  collectInto,
  eachRawLine,
  emptyReadTimeline,
  scanTimeline,
  shiftLines,
  type RawLineVisitor,
  type ReadTimeline,
  type TimelineVisitor,
} from '../timeline/read.js';
import { ReplayVisitor } from '../timeline/replay-visitor.js';
import { type IncidentState, Replayer } from '../timeline/replay.js';
import { ChainCheck, type VerifyReport } from '../timeline/verify.js';
import { chainEvents } from '../timeline/writer.js';
import { createPool, inTransaction, requireSchema, storeError } from './pg-client.js';
import { PostgresLocks } from './pg-locks.js';
import { watchIncident, watchIncidents } from './pg-watch.js';
import type { StoreSpec } from './spec.js';
import { describeDatabase } from './spec.js';
import { listedOf } from './listed.js';
import type {
  AppenderOptions,
  Derivation,
  Derived,
  IncidentAppender,
  IncidentSummary,
  ListedState,
  ListFilter,
  ListPage,
  ListQuery,
  ReplayedIncident,
  Store,
  StoreHead,
  WatchNotices,
} from './store.js';

const PAGE = 2_000;
/** Incidents read at a time by eachDerived. */
const DERIVED_PAGE = 1_000;

interface ListedRow {
  id: string;
  listed: string | null;
}

/** Each listing filter as a condition on the listed status and run columns (migration 5; listed.ts keeps() says the same). */
const LIST_WHERE: Record<ListFilter | 'all', string> = {
  all: 'TRUE',
  open: "listed_status NOT IN ('resolved', 'cancelled')",
  resolved: "listed_status = 'resolved'",
  cancelled: "listed_status = 'cancelled'",
  unended: "listed_status NOT IN ('resolved', 'cancelled') AND listed_run IN ('running', 'stopped')",
};
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly locks: PostgresLocks;
  private ready: Promise<void> | undefined;

  constructor(
    readonly url: string,
    private readonly pool: Pool,
  ) {
    this.location = describeDatabase(url);
    this.locks = new PostgresLocks(url, this.location, (text, values) => this.query(text, values));
  }

  where(id: string, line?: number): string {
    return `incident ${id}${line === undefined ? '' : ` event ${line}`} in ${this.location}`;
  }

  /** The pool, once the schema is known to be there (checked once per store). */
  async db(): Promise<Pool> {
    this.ready ??= requireSchema(this.pool, this.location);
    try {
      await this.ready;
    } catch (e) {
      this.ready = undefined;
      throw e;
    }
    return this.pool;
  }

  private async query<R extends object>(text: string, values: unknown[] = []): Promise<R[]> {
    const db = await this.db();
    try {
      return (await db.query<R>(text, values)).rows;
    } catch (e) {
      throw storeError(e, this.location);
    }
  }

  async create(id: string, opts: AppenderOptions = {}): Promise<IncidentAppender> {
    checkId(id);
    await this.db();
    return new PgAppender(this, id, true, opts);
  }

  async appender(id: string, opts: AppenderOptions = {}): Promise<IncidentAppender> {
    await this.require(id);
    return new PgAppender(this, id, false, opts);
  }

  /** An incident's row is created with its first events: one never opened does not exist. */
  async removeEmpty(id: string): Promise<boolean> {
    const head = await this.head(id).catch(() => undefined);
    return !head || head.count === 0;
  }

  async require(id: string): Promise<void> {
    checkId(id);
    const rows = await this.query('SELECT 1 FROM payctl_incidents WHERE id = $1', [id]);
    if (rows.length) return;
    const known = (await this.query<{ id: string }>('SELECT id FROM payctl_incidents ORDER BY id DESC LIMIT 5')).map((r) => r.id).reverse();
    throw new InvalidInputError(
      `no incident "${id}" in ${this.location}`,
      known.length
        ? `recent incidents: ${known.join(', ')} (payctl incident list)`
        : 'there are no incidents yet; start one with: payctl incident start',
    );
  }

  async scan(id: string, visit: TimelineVisitor): Promise<void> {
    await this.pages(id, (lines, offset) => {
      // the lines through the timeline's own parser (same checks as a file), numbered by position
      scanTimeline(
        Buffer.from(lines.join('\n') + '\n'),
        shiftLines(visit, () => offset),
      );
    });
  }

  async lines(id: string, visit: RawLineVisitor): Promise<void> {
    await this.pages(id, (lines, offset) => eachRawLine(Buffer.from(lines.join('\n') + '\n'), offset + 1, visit));
  }

  /** The incident's stored lines a page at a time, in seq order; `offset`: how many lines came before the page. */
  private async pages(id: string, onPage: (lines: string[], offset: number) => void): Promise<void> {
    await this.require(id);
    let after = 0;
    let offset = 0;
    for (;;) {
      const rows = await this.query<{ seq: number; line: string }>(
        'SELECT seq, line FROM payctl_events WHERE incident_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [id, after, PAGE],
      );
      if (!rows.length) return;
      onPage(
        rows.map((r) => r.line),
        offset,
      );
      offset += rows.length;
      after = rows.at(-1)!.seq;
      if (rows.length < PAGE) return;
    }
  }

  async read(id: string): Promise<ReadTimeline> {
    const out = emptyReadTimeline();
    await this.scan(id, collectInto(out));
    return out;
  }

  async replay(id: string): Promise<ReplayedIncident> {
    const visitor = new ReplayVisitor();
    await this.scan(id, visitor);
    return visitor.finish(this.where(id, 1));
  }

  async verify(id: string): Promise<VerifyReport> {
    const check = new ChainCheck();
    await this.scan(id, check);
    return check.reportAgainst(await this.head(id));
  }

  async head(id: string): Promise<StoreHead | undefined> {
    const rows = await this.query<{ head_count: number; head_hash: string }>(
      'SELECT head_count, head_hash FROM payctl_incidents WHERE id = $1',
      [id],
    );
    return rows[0] ? { count: rows[0].head_count, last: rows[0].head_hash } : undefined;
  }

  async ids(): Promise<string[]> {
    return (await this.query<{ id: string }>('SELECT id FROM payctl_incidents ORDER BY id')).map((r) => r.id);
  }

  async list(only?: readonly string[]): Promise<IncidentSummary[]> {
    const rows = await this.query<ListedRow>(
      `SELECT id, listed FROM payctl_incidents${only ? ' WHERE id = ANY($1)' : ''} ORDER BY id`,
      only ? [only] : [],
    );
    return this.summariesOf(rows);
  }

  /**
   * A page of incidents at a time, each with the value kept for it in
   * payctl_derived if it was derived at the incident's present head (the
   * events are append-only: the same count is the same events); the others
   * are derived and kept. A role that may not write payctl_derived still gets
   * every value, derived each time.
   */
  async eachDerived<V>(derivation: Derivation<V>, visit: (d: Derived<V>) => void): Promise<void> {
    let after = '';
    let canKeep = true;
    for (;;) {
      const rows = await this.query<{ id: string; head_count: number; value: V | null }>(
        `SELECT i.id, i.head_count, d.value FROM payctl_incidents i
           LEFT JOIN payctl_derived d ON d.incident_id = i.id AND d.name = $1 AND d.version = $2 AND d.head_count = i.head_count
          WHERE i.id > $3 ORDER BY i.id LIMIT ${DERIVED_PAGE}`,
        [derivation.name, String(derivation.version), after],
      );
      const fresh: { id: string; head: number; value: V }[] = [];
      for (const r of rows) {
        if (r.value !== null) {
          visit({ id: r.id, value: r.value });
          continue;
        }
        let value: V;
        try {
          value = await derivation.derive(r.id); // reads at least head_count events: a value kept for that count is never stale
        } catch (e) {
          visit({ id: r.id, error: e as Error });
          continue;
        }
        fresh.push({ id: r.id, head: r.head_count, value });
        visit({ id: r.id, value });
      }
      if (fresh.length && canKeep) canKeep = await this.keepDerived(derivation, fresh);
      if (rows.length < DERIVED_PAGE) return;
      after = rows.at(-1)!.id;
    }
  }

  /** Keep derived values; false when this role may not (read-only): they are derived each time then. */
  private async keepDerived<V>(derivation: Derivation<V>, fresh: { id: string; head: number; value: V }[]): Promise<boolean> {
    const db = await this.db();
    try {
      await db.query(
        `INSERT INTO payctl_derived (incident_id, name, version, head_count, value)
         SELECT id, $2, $3, head, value FROM unnest($1::text[], $4::int[], $5::jsonb[]) AS t(id, head, value)
         ON CONFLICT (incident_id, name) DO UPDATE SET version = EXCLUDED.version, head_count = EXCLUDED.head_count, value = EXCLUDED.value`,
        [
          fresh.map((f) => f.id),
          derivation.name,
          String(derivation.version),
          fresh.map((f) => f.head),
          fresh.map((f) => JSON.stringify(f.value)),
        ],
      );
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === '42501') return false; // insufficient_privilege
      throw storeError(e, this.location);
    }
  }

  /**
   * Three small reads whatever the store's size: the newest rows the filter
   * keeps (the primary key read backwards), their number only when there are
   * more, and the unended and unlisted incidents (each through its partial index).
   */
  async listPage({ status, limit }: ListQuery): Promise<ListPage> {
    const where = LIST_WHERE[status ?? 'all'];
    const newest = await this.query<ListedRow>(
      `SELECT id, listed FROM payctl_incidents WHERE ${where} ORDER BY id DESC${limit ? ' LIMIT $1' : ''}`,
      limit ? [limit] : [],
    );
    const total = limit && newest.length === limit ? await this.count(status) : newest.length;
    // each arm through its own partial index
    const pending = await this.query<ListedRow>(
      `SELECT id, listed FROM payctl_incidents WHERE ${LIST_WHERE.unended} AND NOT (id = ANY($1))
       UNION ALL
       SELECT id, listed FROM payctl_incidents WHERE listed IS NULL AND NOT (id = ANY($1))
       ORDER BY id DESC`,
      [newest.map((r) => r.id)],
    );
    return { newest: await this.summariesOf(newest), total, pending: await this.summariesOf(pending) };
  }

  /** How many incidents a filter keeps: every one from the kept number (migration 5), a filter's by counting. */
  private async count(status: ListFilter | undefined): Promise<number> {
    const rows = await this.query<{ n: number }>(
      status
        ? `SELECT count(*)::int AS n FROM payctl_incidents WHERE ${LIST_WHERE[status]}`
        : 'SELECT n::int AS n FROM payctl_incident_count',
    );
    return rows[0]!.n;
  }

  /** listed is JSON text (migration 3): parsed here, without the server converting jsonb for 10,000 rows. */
  private async summariesOf(rows: readonly ListedRow[]): Promise<IncidentSummary[]> {
    const out: IncidentSummary[] = [];
    for (const r of rows) {
      if (r.listed) out.push({ id: r.id, state: JSON.parse(r.listed) as ListedState });
      else out.push({ id: r.id, problem: await this.whyUnlisted(r.id) });
    }
    return out;
  }

  /** Why an incident has no listed state (its events do not open an incident): what replaying it says. */
  private async whyUnlisted(id: string): Promise<string> {
    try {
      await this.replay(id);
      return 'the incident has no listed state (payctl store import it again)';
    } catch (e) {
      return (e as Error).message;
    }
  }

  /**
   * Newest first, 200 rows at a time (the primary key read backwards), each
   * page completed with the rest of its last row's second and ordered by
   * opened_at within a second (newestFirst); then the whole state of those
   * `among` keeps, by their listed states.
   */
  async latest(matches: (state: IncidentState) => boolean, among?: (listed: ListedState) => boolean): Promise<string | undefined> {
    type Row = { id: string; listed: string | null };
    let before: string | null = null;
    for (;;) {
      const rows: Row[] = await this.query<Row>(
        'SELECT id, listed FROM payctl_incidents WHERE ($1::text IS NULL OR id < $1) ORDER BY id DESC LIMIT 200',
        [before],
      );
      const full = rows.length === 200;
      if (full) {
        // ids of one second sort by their random suffix: the page takes the whole second, the next one starts before it
        const second = idSecond(rows.at(-1)!.id);
        rows.push(
          ...(await this.query<Row>('SELECT id, listed FROM payctl_incidents WHERE id >= $1 AND id < $2 ORDER BY id DESC', [
            second,
            rows.at(-1)!.id,
          ])),
        );
        before = second;
      }
      const listed = rows.flatMap((r) => (r.listed ? [JSON.parse(r.listed) as ListedState] : []));
      const kept = newestFirst(
        listed.filter((l) => !among || among(l)),
        (l) => l.id,
        (l) => l.opened_at,
      );
      if (kept.length) {
        const states = await this.query<{ id: string; state: IncidentState | null }>(
          'SELECT id, state FROM payctl_incidents WHERE id = ANY($1)',
          [kept.map((l) => l.id)],
        );
        const byId = new Map(states.map((r) => [r.id, r.state]));
        for (const l of kept) {
          const state = byId.get(l.id);
          if (state && matches(state)) return l.id;
        }
      }
      if (!full) return undefined;
    }
  }

  async watch(
    id: string,
    after: number,
    onEvents: (events: TimelineEvent[]) => void,
    signal: AbortSignal,
    notices?: WatchNotices,
  ): Promise<void> {
    await this.require(id);
    return watchIncident(this, id, after, onEvents, signal, notices);
  }

  async watchList(onChange: (id: string) => void, signal: AbortSignal, ready?: () => Promise<void>, notices?: WatchNotices): Promise<void> {
    await this.db();
    return watchIncidents(this, onChange, signal, ready, notices);
  }

  /** Each incident's event count (watchList: what changed while its connection was lost). */
  async headCounts(): Promise<Map<string, number>> {
    const rows = await this.query<{ id: string; head_count: number }>('SELECT id, head_count FROM payctl_incidents');
    return new Map(rows.map((r) => [r.id, r.head_count]));
  }

  /** Events of an incident after seq `after`, in order (watch). */
  async eventsAfter(id: string, after: number): Promise<TimelineEvent[]> {
    const rows = await this.query<{ line: string }>('SELECT line FROM payctl_events WHERE incident_id = $1 AND seq > $2 ORDER BY seq', [
      id,
      after,
    ]);
    return rows.map((r) => JSON.parse(r.line) as TimelineEvent);
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

class PgAppender implements IncidentAppender {
  private fresh: boolean;
  private queue: Promise<unknown> = Promise.resolve();
  /** The incident's head and state as of this appender's last append (or read). */
  private head: { count: number; last: string; state: IncidentState | null } | undefined;

  constructor(
    private readonly store: PostgresStore,
    readonly id: string,
    fresh: boolean,
    private readonly opts: AppenderOptions,
  ) {
    this.fresh = fresh;
  }

  /** Appends from this process one after the other; the row lock orders them across processes. */
  appendAll(events: readonly NewEvent[]): Promise<TimelineEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    const run = this.queue.then(async () => this.appendNow(events, this.opts.actor ?? (await actorName())));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * One statement (payctl_append): the events chained onto the head this
   * appender last saw, inserted if the incident still has that many events
   * (else another appender got in first: re-read the head and chain again).
   */
  private async appendNow(evs: readonly NewEvent[], actor: string): Promise<TimelineEvent[]> {
    const now = this.opts.now ?? (() => new Date());
    const db = await this.store.db();
    const head = (this.head ??= this.fresh ? { count: 0, last: GENESIS, state: null } : await this.readHead(db));
    const chained = chainEvents(evs, head, actor, now);
    // the state is replayed onto a copy: the cached head stays as read if the append is refused
    const state = nextState(head.state ? (structuredClone(head.state) as IncidentState) : null, head.count, chained.events);
    try {
      await db.query('SELECT payctl_append($1, $2, $3, $4, $5, $6, $7, $8)', [
        this.id,
        this.fresh,
        head.count,
        chained.events.map((e) => e.seq),
        chained.events.map((e) => e.prev),
        chained.lines,
        state ? JSON.stringify(state) : null,
        state ? JSON.stringify(listedOf(state)) : null,
      ]);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '23505' && this.fresh)
        throw new OperationError(
          `incident ${this.id} already exists in ${this.store.location}`,
          'run the command again (a new id is drawn)',
        );
      this.head = undefined;
      if (code !== '40001') throw storeError(e, this.store.location);
      // another appender got in first: this time lock the row before reading the head (no starving)
      const written = await inTransaction(db, this.store.location, (c) => appendInTransaction(c, this.id, evs, actor, now, this.store));
      this.fresh = false;
      return written;
    }
    this.fresh = false;
    this.head = { count: chained.seq, last: chained.last, state: state ?? null };
    return chained.events;
  }

  private async readHead(db: Pool): Promise<{ count: number; last: string; state: IncidentState | null }> {
    try {
      const r = await db.query<{ head_count: number; head_hash: string; state: IncidentState | null }>(
        'SELECT head_count, head_hash, state FROM payctl_incidents WHERE id = $1',
        [this.id],
      );
      const row = r.rows[0];
      if (!row) throw new InvalidInputError(`no incident "${this.id}" in ${this.store.location}`);
      return { count: row.head_count, last: row.head_hash, state: row.state };
    } catch (e) {
      throw storeError(e, this.store.location);
    }
  }

  /** Whether the incident's first events reached the database (a new incident's appender). */
  get opened(): boolean {
    return !this.fresh;
  }

  async close(): Promise<void> {}
}

/**
 * Within a transaction: chain `evs` onto the incident's recorded head (its
 * row locked), insert them, store the state they lead to, notify listeners.
 */
export async function appendInTransaction(
  c: PoolClient,
  id: string,
  evs: readonly NewEvent[],
  actor: string,
  now: () => Date,
  store: PostgresStore,
): Promise<TimelineEvent[]> {
  const head = await c.query<{ head_count: number; head_hash: string; state: IncidentState | null }>(
    'SELECT head_count, head_hash, state FROM payctl_incidents WHERE id = $1 FOR UPDATE',
    [id],
  );
  const row = head.rows[0];
  if (!row) throw new InvalidInputError(`no incident "${id}" in ${store.location}`);
  const chained = chainEvents(evs, { count: row.head_count, last: row.head_hash }, actor, now);
  await c.query(
    'INSERT INTO payctl_events (incident_id, seq, prev, line) SELECT $1, s, p, l FROM unnest($2::int[], $3::text[], $4::text[]) AS t(s, p, l)',
    [id, chained.events.map((e) => e.seq), chained.events.map((e) => e.prev), chained.lines],
  );
  const state = nextState(row.state, row.head_count, chained.events);
  if (state)
    await c.query('UPDATE payctl_incidents SET state = $2, listed = $3 WHERE id = $1', [
      id,
      JSON.stringify(state),
      JSON.stringify(listedOf(state)),
    ]);
  await c.query("SELECT pg_notify('payctl_events', $1)", [`${id} ${chained.seq}`]);
  return chained.events;
}

/** The incident's state after `events` (undefined when it was never opened properly). */
function nextState(before: IncidentState | null, count: number, events: TimelineEvent[]): IncidentState | undefined {
  let r: Replayer | undefined;
  let rest = events;
  if (count === 0) {
    if (events[0]?.type !== 'incident_opened') return undefined;
    r = new Replayer(events[0]);
    rest = events.slice(1);
  } else if (before) {
    r = Replayer.fromState(before);
  } else {
    return undefined;
  }
  for (const e of rest) r.apply(e);
  return r.state();
}

function checkId(id: string): void {
  if (!ID.test(id)) throw new InvalidInputError(`"${id}" is not an incident id`, 'list incidents with: payctl incident list');
}

export async function openPostgresStore(spec: Extract<StoreSpec, { kind: 'postgres' }>): Promise<PostgresStore> {
  return new PostgresStore(spec.url, await createPool(spec.url, `payctl pid ${process.pid}`));
}

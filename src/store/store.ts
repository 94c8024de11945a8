/**
 * The incident store: where timelines live. One interface, two backends: a
 * directory of JSON Lines files (DirectoryStore, the default) and a
 * PostgreSQL database shared by a team (PostgresStore, issue 13). Commands
 * reach it through the context (ctx.store()), never through paths.
 *
 * Both keep the same event model: each event has the next `seq` and the
 * sha256 of the previous event's line as `prev`; the raw line of each event
 * (exactly what the next one hashes) is what a store keeps and gives back.
 */
import type { NewEvent, TimelineEvent } from '../timeline/events.js';
import type { RawLineVisitor, TimelineProblem, TimelineVisitor, ReadTimeline } from '../timeline/read.js';
import type { IncidentState } from '../timeline/replay.js';
import type { StoreLocks } from '../timeline/lock.js';
import type { VerifyReport } from '../timeline/verify.js';

export type StoreKind = 'directory' | 'postgres';

/** Who appends, and the clock that stamps the events. */
export interface AppenderOptions {
  now?: () => Date;
  /** Defaults to the user@host of this process (timeline/actor.ts). */
  actor?: string;
}

/** Appends to one incident: seq and prev are assigned by the store, against its recorded head. */
export interface IncidentAppender {
  readonly id: string;
  /**
   * Append events in order as one unit (one lock, write and fsync; one
   * transaction): each gets the next seq and the hash of the event before it.
   * Resolves once they are durable, with the events as stored (redacted).
   */
  appendAll(events: readonly NewEvent[]): Promise<TimelineEvent[]>;
  /** Give back what the appender holds (a descriptor, a connection); a later append reopens it. */
  close(): Promise<void>;
}

/** The head of an incident's chain: how many events, and the hash of the last one's line. */
export interface StoreHead {
  count: number;
  last: string;
}

/**
 * What `incident list` and `incident resume` without an id need of an incident, its run's end
 * included (listed.ts): a database store keeps it on the incident's row, a directory store in
 * a cache checked against each timeline (directory-listed.ts).
 */
export type ListedState = Pick<
  IncidentState,
  | 'id'
  | 'title'
  | 'severity'
  | 'status'
  | 'playbook'
  | 'opened_at'
  | 'updated_at'
  | 'run'
  | 'run_stop_reason'
  | 'run_stop_exit_code'
  | 'run_stopped_at_step'
  | 'dry_run'
  | 'source'
  | 'cancelled'
>;

/** One row of `incident list`: the incident's listed state, or why it could not be read. */
export interface IncidentSummary {
  id: string;
  state?: ListedState;
  /** Why the incident is broken (an empty timeline, not a payctl timeline). */
  problem?: string;
}

/**
 * Which incidents a listing keeps: open (neither resolved nor cancelled), resolved, cancelled,
 * or unended (open, and its last run has no finish: running, killed, or stopped before its end;
 * every incident waiting for a resume is one of these).
 */
export type ListFilter = 'open' | 'resolved' | 'cancelled' | 'unended';

export interface ListQuery {
  /** Only these; a broken incident (no listed state) is kept only without a filter. */
  status?: ListFilter;
  /** The newest this many; 0: every one. */
  limit: number;
}

/** A page of `incident list`: what it shows, and what it names whatever their age. */
export interface ListPage {
  /** The newest incidents the query keeps, newest first. */
  newest: IncidentSummary[];
  /** How many the query keeps in all. */
  total: number;
  /**
   * Whatever the filter, the incidents not in `newest` that are unended (one may wait for a
   * resume) or broken, newest first: listed below the table however old.
   */
  pending: IncidentSummary[];
}

/** A value derived from an incident's timeline alone (the scorecard's part of it, say). */
export interface Derivation<V> {
  /** Lowercase letters and dashes: a directory store keeps the values in <store>/.<name>.json. */
  name: string;
  /** Changes whenever what `derive` computes changes (its code, a setting it reads): values of another version are derived again. */
  version: string | number;
  /** The value of one incident (its events read from the store). */
  derive(id: string): Promise<V>;
}

/** One incident with its derived value, or why it could not be derived. */
export type Derived<V> = { id: string; value: V; error?: undefined } | { id: string; value?: undefined; error: Error };

/** What a watch says about its connection to a database store (incident follow prints them on stderr). */
export interface WatchNotices {
  /** The connection was lost: what happened, and when it tries again. */
  lost?(message: string): void;
  /** It is back, and what was missed meanwhile has been delivered. */
  back?(message: string): void;
}

export interface ReplayedIncident {
  state: IncidentState;
  problems: TimelineProblem[];
}

export interface Store {
  readonly kind: StoreKind;
  /** For messages: the directory, or the database URL with its password masked. */
  readonly location: string;
  /**
   * Where an event of an incident is, for messages: `<dir>/<id>/timeline.jsonl:12`
   * for a directory, `incident <id> event 12 (postgres://…)` for a database.
   */
  where(id: string, line?: number): string;

  /** A new incident (no events yet): its first append must be incident_opened. */
  create(id: string, opts?: AppenderOptions): Promise<IncidentAppender>;
  /** An appender to an existing incident; an unknown or malformed id is exit 2 naming recent ones. */
  appender(id: string, opts?: AppenderOptions): Promise<IncidentAppender>;
  /** Remove an incident created but never opened (no events): true when it is gone, false when it has events. */
  removeEmpty(id: string): Promise<boolean>;
  /** Exit 2 (InvalidInputError naming recent ids) when there is no such incident. */
  require(id: string): Promise<void>;

  /** The events in order, streamed to `visit` (with each raw line and its 1-based position); never throws on bad content. */
  scan(id: string, visit: TimelineVisitor): Promise<void>;
  /**
   * The stored lines in order, as bytes, unparsed: each exactly what the next
   * event's prev hashes, numbered as scan() numbers them. Only complete lines
   * (a directory store leaves out a last line without its newline). For copying
   * events out (incident show --json) once scan() has read and checked them.
   */
  lines(id: string, visit: RawLineVisitor): Promise<void>;
  /** The whole timeline in memory (short ones: export, template). */
  read(id: string): Promise<ReadTimeline>;
  /** The incident's state, replayed without keeping its events. */
  replay(id: string): Promise<ReplayedIncident>;
  /** The hash chain and sequence checked, and (when the store records one) the head it should end at. */
  verify(id: string): Promise<VerifyReport>;
  /** The recorded head (a directory store: its last line), or undefined for an unknown id. */
  head(id: string): Promise<StoreHead | undefined>;

  /** Every incident id, oldest first (ids sort by time). */
  ids(): Promise<string[]>;
  /** Every incident (or those of `only` that exist) with its listed state, oldest first; a broken one with its problem. */
  list(only?: readonly string[]): Promise<IncidentSummary[]>;
  /**
   * Each incident, oldest first, with its derived value. A directory store keeps the values and
   * derives again only an incident whose timeline changed since (timeline-cache.ts); a database
   * store derives each one every time.
   */
  eachDerived<V>(derivation: Derivation<V>, visit: (d: Derived<V>) => void): Promise<void>;
  /** A page of the listing (newest first) without reading every incident's listed state where the store can avoid it. */
  listPage(query: ListQuery): Promise<ListPage>;
  /**
   * The newest incident whose state matches. `among`, a first cut on the listed
   * state (open, real): only the incidents it keeps are replayed.
   */
  latest(matches: (state: IncidentState) => boolean, among?: (listed: ListedState) => boolean): Promise<string | undefined>;

  /** The run lock and the routing lock, across processes (and machines, for a database). */
  readonly locks: StoreLocks;

  /**
   * Calls `onEvents` with each incident's events appended after seq `after`,
   * in order, as they arrive (from any process or machine), until `signal`
   * aborts; resolves then. Exit 2 for an unknown id. A database store that
   * loses its connection says so through `notices`, connects again and catches up.
   */
  watch(id: string, after: number, onEvents: (events: TimelineEvent[]) => void, signal: AbortSignal, notices?: WatchNotices): Promise<void>;
  /**
   * Calls `onChange` when an incident is created or appended to (its id), until `signal` aborts; resolves then.
   * `ready` is awaited once watching has taken effect: a change after it begins is reported. A database
   * store that loses its connection says so through `notices`, connects again and reports what changed meanwhile.
   */
  watchList(onChange: (id: string) => void, signal: AbortSignal, ready?: () => Promise<void>, notices?: WatchNotices): Promise<void>;

  /** Close connections and descriptors; the command is done with the store. */
  close(): Promise<void>;
}

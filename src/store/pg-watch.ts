/**
 * Live view on a database store: LISTEN payctl_events on a connection of its
 * own. Every append notifies "<id> <last seq>" when it commits (postgres.ts),
 * from any machine; a watcher reads what it has not seen yet. Events are
 * delivered in order, each once, however notifications bunch up.
 *
 * A watch outlives its connection: when the connection is lost (the server
 * restarted, a network cut, the backend terminated) it says so, connects
 * again with backoff (backoff.ts) until the database answers, and then
 * catches up: an incident's watch reads every event appended after the last
 * one it delivered; the list's reports every incident that changed meanwhile.
 */
import { backoffDelay, type Backoff } from '../backoff.js';
import type { TimelineEvent } from '../timeline/events.js';
import { connectClient, isUnreachable, storeError } from './pg-client.js';
import type { PostgresStore } from './postgres.js';
import type { WatchNotices } from './store.js';

export const EVENTS_CHANNEL = 'payctl_events';

/** LISTEN until `signal` aborts (resolves) or the connection is lost (rejects: StoreUnavailableError). */
async function listening(
  store: PostgresStore,
  onPayload: (payload: string) => void,
  signal: AbortSignal,
  ready?: () => Promise<void>,
): Promise<void> {
  if (signal.aborted) return;
  const client = await connectClient(store.url, `payctl watch pid ${process.pid}`, store.location);
  const ended = new Promise<void>((resolve, reject) => {
    signal.addEventListener('abort', () => resolve(), { once: true });
    client.on('error', (e) => reject(storeError(e, store.location)));
    client.on('end', () => (signal.aborted ? resolve() : reject(storeError(new Error('Connection terminated'), store.location))));
  });
  ended.catch(() => undefined); // awaited below; not unhandled while LISTEN is sent
  client.on('notification', (n) => {
    if (n.channel === EVENTS_CHANNEL && n.payload) onPayload(n.payload);
  });
  try {
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    await ready?.();
    await ended;
  } catch (e) {
    throw storeError(e, store.location);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Waits between attempts to connect again: 0.25 s doubling to 5 s, with jitter. */
export const RECONNECT: Backoff = { baseMs: 250, maxMs: 5_000, random: Math.random };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * LISTEN until `signal` aborts, connecting again whenever the connection is
 * lost or `lose` is called (a read failed: the database went away), saying so
 * through `notices`. `connected` runs each time LISTEN has taken effect (the
 * first time and after each reconnection): what was missed is read there.
 */
class Listener {
  private session: AbortController | undefined;

  constructor(
    private readonly store: PostgresStore,
    private readonly signal: AbortSignal,
    private readonly notices: WatchNotices = {},
  ) {}

  /** Drop the connection as lost: connect again (with backoff) and catch up. */
  lose(error: unknown): void {
    this.session?.abort(error);
  }

  async run(onPayload: (payload: string) => void, connected: () => Promise<void>): Promise<void> {
    let failures = 0;
    while (!this.signal.aborted) {
      const session = (this.session = new AbortController());
      try {
        await listening(this.store, onPayload, AbortSignal.any([this.signal, session.signal]), async () => {
          await connected();
          if (failures) this.notices.back?.(`the incident store ${this.store.location} answers again; caught up`);
          failures = 0;
        });
        if (this.signal.aborted) return;
        throw session.signal.reason;
      } catch (e) {
        if (this.signal.aborted) return;
        const error = storeError(e, this.store.location);
        if (!isUnreachable(error)) throw error;
        const delay = backoffDelay(++failures, RECONNECT);
        this.notices.lost?.(`${(error as Error).message}; connecting again in ${(delay / 1000).toFixed(1)} s (attempt ${failures})`);
        await sleep(delay, this.signal);
      }
    }
  }
}

export async function watchIncident(
  store: PostgresStore,
  id: string,
  after: number,
  onEvents: (events: TimelineEvent[]) => void,
  signal: AbortSignal,
  notices?: WatchNotices,
): Promise<void> {
  let seen = after;
  let chain: Promise<void> = Promise.resolve();
  let error: unknown;
  const stop = new AbortController();
  const watching = AbortSignal.any([signal, stop.signal]);
  const listener = new Listener(store, watching, notices);
  /** Read what was appended after `seen`, one read at a time: each event is delivered once, in order. */
  const catchUp = (): Promise<void> => {
    const read = chain.then(async () => {
      if (watching.aborted) return;
      const events = (await store.eventsAfter(id, seen)).filter((e) => e.seq > seen);
      if (!events.length) return;
      seen = events.at(-1)!.seq;
      onEvents(events);
    });
    chain = read.catch(() => undefined);
    return read;
  };
  await listener.run(
    (payload) => {
      const [who, seq] = payload.split(' ');
      if (who !== id || Number(seq) <= seen) return;
      catchUp().catch((e) => {
        if (isUnreachable(storeError(e, store.location))) return listener.lose(e);
        error ??= e;
        stop.abort();
      });
    },
    // what was appended before LISTEN took effect (or while the connection was lost)
    catchUp,
  );
  await chain;
  if (error) throw error;
}

/**
 * Every incident's changes: a notification names the incident appended to. When
 * the connection was lost, each incident whose event count moved meanwhile (or
 * that was opened meanwhile) is reported once it is back.
 */
export async function watchIncidents(
  store: PostgresStore,
  onChange: (id: string) => void,
  signal: AbortSignal,
  ready?: () => Promise<void>,
  notices?: WatchNotices,
): Promise<void> {
  // each incident's event count as last known (from the first connection on)
  let heads: Map<string, number> | undefined;
  await new Listener(store, signal, notices).run(
    (payload) => {
      const [id, seq] = payload.split(' ') as [string, string];
      heads?.set(id, Math.max(heads.get(id) ?? 0, Number(seq)));
      onChange(id);
    },
    async () => {
      const now = await store.headCounts();
      if (!heads) {
        await ready?.();
        heads = now;
        return;
      }
      for (const [id, count] of now)
        if ((heads.get(id) ?? 0) < count) {
          heads.set(id, count);
          onChange(id);
        }
    },
  );
}

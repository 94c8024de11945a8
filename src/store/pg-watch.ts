/**
 * Live view on a database store: LISTEN payctl_events on a connection of its
 * own. Every append notifies "<id> <last seq>" when it commits (postgres.ts),
 * from any machine; a watcher reads what it has not seen yet. Events are
 * delivered in order, each once, however notifications bunch up.
 */
import type { TimelineEvent } from '../timeline/events.js';
import { connectClient, storeError } from './pg-client.js';
import type { PostgresStore } from './postgres.js';

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

export async function watchIncident(
  store: PostgresStore,
  id: string,
  after: number,
  onEvents: (events: TimelineEvent[]) => void,
  signal: AbortSignal,
): Promise<void> {
  let seen = after;
  let chain: Promise<void> = Promise.resolve();
  let error: unknown;
  const catchUp = () => {
    chain = chain
      .then(async () => {
        if (signal.aborted) return;
        const events = (await store.eventsAfter(id, seen)).filter((e) => e.seq > seen);
        if (!events.length) return;
        seen = events.at(-1)!.seq;
        onEvents(events);
      })
      .catch((e) => {
        error ??= e;
      });
  };
  await listening(
    store,
    (payload) => {
      const [who, seq] = payload.split(' ');
      if (who === id && Number(seq) > seen) catchUp();
    },
    signal,
    async () => {
      // what was appended before LISTEN took effect
      catchUp();
      await chain;
    },
  );
  await chain;
  if (error) throw error;
}

export async function watchIncidents(
  store: PostgresStore,
  onChange: (id: string) => void,
  signal: AbortSignal,
  ready?: () => Promise<void>,
): Promise<void> {
  await listening(store, (payload) => onChange(payload.split(' ')[0]!), signal, ready);
}

/**
 * Pushing the spool into the database once it answers again: each spooled
 * incident in one transaction. Its events keep their time, actor, type and
 * data and are chained after whatever the incident has now (what others
 * appended meanwhile stays, before them); events the database already has
 * (taken just before the connection dropped) are not pushed twice. A
 * store_reconciled event records it. The spool of an incident another
 * process is still writing to waits.
 */
import { hostname } from 'node:os';
import type { Output } from '../output.js';
import { actorName } from '../timeline/actor.js';
import type { NewEvent, TimelineEvent } from '../timeline/events.js';
import { inTransaction, isUnreachable } from './pg-client.js';
import { appendInTransaction, type PostgresStore } from './postgres.js';
import type { Spool, SpoolMeta } from './spool.js';

export interface PushedIncident {
  id: string;
  pushed: number;
  already_stored: number;
  appended_meanwhile: number;
}

/** The same event, whoever chained it where: what the spool and the database can both say of it. */
function sameEvent(e: TimelineEvent): string {
  return JSON.stringify([e.time, e.actor, e.type, e.step ?? null, e.data]);
}

function asNew(e: TimelineEvent): NewEvent {
  return { type: e.type, ...(e.step !== undefined ? { step: e.step } : {}), data: e.data, time: e.time } as NewEvent;
}

export async function pushSpool(
  db: PostgresStore,
  spool: Spool,
  out: Output,
  opts: { quiet?: boolean } = {},
): Promise<{ pushed: PushedIncident[]; waiting: string[] }> {
  const pushed: PushedIncident[] = [];
  const waiting: string[] = [];
  for (const p of spool.pending()) {
    const release = spool.claim(p.id);
    if (!release) {
      waiting.push(p.id);
      continue;
    }
    try {
      const { events, problems } = await spool.store.read(p.id);
      for (const pr of problems) out.warn(`${spool.store.where(p.id, pr.line)}: ${pr.message}`);
      const r = events.length
        ? await pushIncident(db, p.id, events, p.meta)
        : { id: p.id, pushed: 0, already_stored: 0, appended_meanwhile: 0 };
      spool.remove(p.id);
      pushed.push(r);
      out.info(
        `payctl: incident ${p.id}: ${r.pushed} event${r.pushed === 1 ? '' : 's'} from the local spool pushed into ${db.location}` +
          (r.appended_meanwhile ? ` (after ${r.appended_meanwhile} appended by others meanwhile)` : '') +
          (r.already_stored ? ` (${r.already_stored} were already there)` : ''),
      );
    } catch (e) {
      if (opts.quiet && isUnreachable(e)) break;
      throw e;
    } finally {
      await release();
    }
  }
  return { pushed, waiting };
}

async function pushIncident(db: PostgresStore, id: string, events: TimelineEvent[], meta: SpoolMeta): Promise<PushedIncident> {
  const actor = await actorName();
  const pool = await db.db();
  return inTransaction(pool, db.location, async (c) => {
    await c.query('INSERT INTO payctl_incidents (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [id]);
    await c.query('SELECT 1 FROM payctl_incidents WHERE id = $1 FOR UPDATE', [id]);
    // the incident's events from the time spooling began: ours that got through, and others'
    const first = events[0]!.time;
    const rows = await c.query<{ line: string }>(
      "SELECT line FROM payctl_events WHERE incident_id = $1 AND (line::jsonb ->> 'time') >= $2",
      [id, first],
    );
    const there = new Set(rows.rows.map((r) => sameEvent(JSON.parse(r.line) as TimelineEvent)));
    const rest = events.filter((e) => !there.has(sameEvent(e)));
    const already = events.length - rest.length;
    const meanwhile = rows.rows.length - already;
    // chained in runs of one actor (appendInTransaction stamps one actor per call)
    for (let i = 0; i < rest.length; ) {
      let j = i;
      while (j < rest.length && rest[j]!.actor === rest[i]!.actor) j++;
      await appendInTransaction(c, id, rest.slice(i, j).map(asNew), rest[i]!.actor, () => new Date(), db);
      i = j;
    }
    if (rest.length) {
      await appendInTransaction(
        c,
        id,
        [
          {
            type: 'store_reconciled',
            data: {
              pushed: rest.length,
              already_stored: already,
              appended_meanwhile: meanwhile,
              spooled_since: meta.since,
              host: meta.host || hostname(),
            },
          },
        ],
        actor,
        () => new Date(),
        db,
      );
    }
    return { id, pushed: rest.length, already_stored: already, appended_meanwhile: meanwhile };
  });
}

/**
 * payctl store import: a directory store's incidents copied into the
 * database, each in one transaction, lines kept byte for byte (so their
 * hashes, and the chain, are the same). Each chain is verified first; a broken
 * one is refused. Idempotent: an incident already there is skipped, one whose
 * database copy is a prefix of the file gets the rest, one that differs is
 * refused.
 */
import { sha256 } from '../timeline/writer.js';
import { replay } from '../timeline/replay.js';
import type { DirectoryStore } from './directory.js';
import { inTransaction } from './pg-client.js';
import { listedOf } from './listed.js';
import type { PostgresStore } from './postgres.js';

export type ImportOutcome =
  | { id: string; outcome: 'imported' | 'completed'; events: number }
  | { id: string; outcome: 'already there'; events: number }
  | { id: string; outcome: 'refused'; reason: string };

export async function importIncident(db: PostgresStore, from: DirectoryStore, id: string): Promise<ImportOutcome> {
  const check = await from.verify(id);
  if (!check.ok) return { id, outcome: 'refused', reason: `${from.where(id, check.firstBadLine)}: ${check.message}` };
  const t = await from.read(id);
  const state = replay(t.events, t.problems);
  if (!state) return { id, outcome: 'refused', reason: `${from.where(id, 1)}: the timeline does not begin with incident_opened` };
  const hashes = t.lines.map((l) => sha256(l));
  return inTransaction(await db.db(), db.location, async (c) => {
    await c.query('INSERT INTO payctl_incidents (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [id]);
    const head = (
      await c.query<{ head_count: number; head_hash: string }>(
        'SELECT head_count, head_hash FROM payctl_incidents WHERE id = $1 FOR UPDATE',
        [id],
      )
    ).rows[0]!;
    const n = t.events.length;
    if (head.head_count > n || (head.head_count > 0 && hashes[head.head_count - 1] !== head.head_hash)) {
      return {
        id,
        outcome: 'refused',
        reason: `the database's incident ${id} (${head.head_count} events) is not the file's (${n} events): it differs`,
      };
    }
    if (head.head_count === n) return { id, outcome: 'already there', events: n };
    const rest = t.events.slice(head.head_count);
    await c.query(
      'INSERT INTO payctl_events (incident_id, seq, prev, line) SELECT $1, s, p, l FROM unnest($2::int[], $3::text[], $4::text[]) AS t(s, p, l)',
      [id, rest.map((e) => e.seq), rest.map((e) => e.prev), t.lines.slice(head.head_count)],
    );
    await c.query('UPDATE payctl_incidents SET state = $2, listed = $3 WHERE id = $1', [
      id,
      JSON.stringify(state),
      JSON.stringify(listedOf(state)),
    ]);
    await c.query("SELECT pg_notify('payctl_events', $1)", [`${id} ${n}`]);
    return { id, outcome: head.head_count ? 'completed' : 'imported', events: n };
  });
}

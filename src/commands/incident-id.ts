/**
 * The incident a command's id argument names (`latest`, a prefix or a suffix
 * work too: timeline/incident-id.ts). The one place that asks the store for
 * its ids to resolve one.
 *
 * A command that acts on a real incident's people (assign, handoff, approve,
 * deny) passes `real`: its `latest` is the newest incident that is not a
 * rehearsal (a dry run, a drill, the demo), and the rehearsals passed by are
 * named on stderr. An id given whole, or by prefix or suffix, is taken as it is.
 *
 * `latest` orders by the second each id names, then by opened_at (two opened
 * in the same second sort by their random suffix otherwise); only the ids of
 * the newest seconds have their listed state read for it.
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import type { Store } from '../store/store.js';
import { idSecond, LATEST, matchIncidentId, newestFirst, newestSecond } from '../timeline/incident-id.js';
import { rehearsalKind } from '../timeline/rehearsal.js';

/** How many of the newest incidents `latest` looks through for a real one. */
const REAL_LOOKBACK = 50;

export async function resolveIncidentId(ctx: Context, wanted: string, o: { real?: boolean } = {}): Promise<string> {
  const store = await ctx.store();
  const ids = await store.ids();
  // the whole id of an existing incident is itself
  if (wanted !== LATEST && ids.includes(wanted)) return wanted;
  if (wanted.trim() !== LATEST || !ids.length) return matchIncidentId(wanted, ids, store.location);
  if (!o.real) return (await newestOf(store, newestSecond(ids)))[0]!.id;
  const passed: string[] = [];
  for (const { id, state } of await newestOf(store, lookback(ids))) {
    const kind = rehearsalKind(state ?? (await store.replay(id)).state);
    if (!kind) {
      if (passed.length) ctx.out.info(`latest: ${id} (the newest real incident; passed by ${passed.join(', ')})`);
      return id;
    }
    passed.push(`${id} (${kind})`);
  }
  throw new InvalidInputError(
    `latest here means the newest real incident, and the ${passed.length} newest in ${store.location} are rehearsals (dry runs, drills, the demo)`,
    'name the incident by its id (payctl incident list)',
  );
}

/** The newest REAL_LOOKBACK ids (oldest first), with the rest of the oldest one's second. */
function lookback(ids: readonly string[]): string[] {
  let from = Math.max(0, ids.length - REAL_LOOKBACK);
  while (from > 0 && idSecond(ids[from - 1]!) === idSecond(ids[from]!)) from--;
  return ids.slice(from);
}

/** These incidents newest first: by their ids' second, then by when each was opened (their listed states). */
async function newestOf(store: Store, ids: string[]) {
  if (ids.length < 2) return ids.map((id) => ({ id, state: undefined }));
  return newestFirst(
    await store.list(ids),
    (s) => s.id,
    (s) => s.state?.opened_at,
  );
}

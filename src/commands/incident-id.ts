/**
 * The incident a command's id argument names (`latest`, a prefix or a suffix
 * work too: timeline/incident-id.ts). The one place that asks the store for
 * its ids to resolve one.
 *
 * A command that acts on a real incident's people (assign, handoff, approve,
 * deny) passes `real`: its `latest` is the newest incident that is not a
 * rehearsal (a dry run, a drill, the demo), and the rehearsals passed by are
 * named on stderr. An id given whole, or by prefix or suffix, is taken as it is.
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { LATEST, matchIncidentId } from '../timeline/incident-id.js';
import { rehearsalKind } from '../timeline/rehearsal.js';

/** How many of the newest incidents `latest` looks through for a real one. */
const REAL_LOOKBACK = 50;

export async function resolveIncidentId(ctx: Context, wanted: string, o: { real?: boolean } = {}): Promise<string> {
  const store = await ctx.store();
  const ids = await store.ids();
  // the whole id of an existing incident is itself
  if (wanted !== LATEST && ids.includes(wanted)) return wanted;
  if (!o.real || wanted.trim() !== LATEST) return matchIncidentId(wanted, ids, store.location);
  const passed: string[] = [];
  for (const id of ids.slice(-REAL_LOOKBACK).reverse()) {
    const kind = rehearsalKind((await store.replay(id)).state);
    if (!kind) {
      if (passed.length) ctx.out.info(`latest: ${id} (the newest real incident; passed by ${passed.join(', ')})`);
      return id;
    }
    passed.push(`${id} (${kind})`);
  }
  if (!ids.length) return matchIncidentId(wanted, ids, store.location);
  throw new InvalidInputError(
    `latest here means the newest real incident, and the ${passed.length} newest in ${store.location} are rehearsals (dry runs, drills, the demo)`,
    'name the incident by its id (payctl incident list)',
  );
}

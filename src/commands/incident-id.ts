/**
 * The incident a command's id argument names (`latest`, a prefix or a suffix
 * work too: timeline/incident-id.ts). The one place that asks the store for
 * its ids to resolve one.
 */
import type { Context } from '../context.js';
import { matchIncidentId } from '../timeline/incident-id.js';

export async function resolveIncidentId(ctx: Context, wanted: string): Promise<string> {
  const store = await ctx.store();
  const ids = await store.ids();
  // the whole id of an existing incident is itself
  if (wanted !== 'latest' && ids.includes(wanted)) return wanted;
  return matchIncidentId(wanted, ids, store.location);
}

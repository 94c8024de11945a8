/**
 * The incident a command's id argument names (`latest`, a prefix or a suffix
 * work too: timeline/incident-id.ts). The one place that asks the store for
 * its ids to resolve one.
 */
import { existsSync } from 'node:fs';
import type { Context } from '../context.js';
import { matchIncidentId } from '../timeline/incident-id.js';
import { listIncidentIds, timelinePath } from '../timeline/store.js';

export async function resolveIncidentId(ctx: Context, wanted: string): Promise<string> {
  const storeDir = ctx.config().storeDir;
  // the whole id of an existing incident needs no listing of the store
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(wanted) && wanted !== 'latest' && existsSync(timelinePath(storeDir, wanted))) return wanted;
  return matchIncidentId(wanted, listIncidentIds(storeDir), storeDir);
}

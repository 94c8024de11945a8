/**
 * An incident's listed state: the part of its replayed state that `incident
 * list` shows and that tells whether it waits for a resume (how its last run
 * ended). Both stores keep it so that listing 10,000 incidents replays none:
 * the database on each incident's row (written with every append), the
 * directory store in a cache checked against each timeline file
 * (directory-listed.ts).
 */
import type { IncidentState } from '../timeline/replay.js';
import type { ListedState } from './store.js';

/**
 * The fields kept. A field added here needs a database migration that fills
 * it in on the rows already there (as migration 4 in pg-schema.ts did) and a
 * new version of the directory store's cache (directory-listed.ts).
 */
export const LISTED_FIELDS = [
  'id',
  'title',
  'severity',
  'status',
  'playbook',
  'opened_at',
  'updated_at',
  'run',
  'run_stop_reason',
  'run_stop_exit_code',
  'run_stopped_at_step',
  'dry_run',
  'source',
  'cancelled',
] as const satisfies readonly (keyof ListedState)[];

/** Each field of ListedState is in LISTED_FIELDS (a field added to the type and not to the list does not compile). */
type Missing = Exclude<keyof ListedState, (typeof LISTED_FIELDS)[number]>;
const everyField: Missing extends never ? true : Missing = true;
void everyField;

export function listedOf(s: IncidentState): ListedState {
  const out: Record<string, unknown> = {};
  for (const k of LISTED_FIELDS) if (s[k] !== undefined) out[k] = s[k];
  return out as unknown as ListedState;
}

/**
 * An incident's listed state: the part of its replayed state that `incident
 * list` shows and that tells whether it waits for a resume (how its last run
 * ended). Both stores keep it so that listing 10,000 incidents replays none:
 * the database on each incident's row (written with every append), the
 * directory store in a cache checked against each timeline file
 * (directory-listed.ts).
 */
import { isOpen, type IncidentState } from '../timeline/replay.js';
import type { IncidentSummary, ListedState, ListFilter, ListPage, ListQuery } from './store.js';

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

/** Open, and its last run has no finish (running, killed, or stopped before its end). */
export function isUnended(s: Pick<ListedState, 'status' | 'run'>): boolean {
  return isOpen(s) && (s.run === 'running' || s.run === 'stopped');
}

/** What a listing filters by: an incident's listed status and run (none: it is broken). */
export type ListedMark = Pick<ListedState, 'status' | 'run'> | undefined;

/** Whether a listing filtered by `status` keeps the incident (a broken one only without a filter). */
export function keeps(status: ListFilter | undefined, mark: ListedMark): boolean {
  if (!status) return true;
  if (!mark) return false;
  if (status === 'open') return isOpen(mark);
  if (status === 'unended') return isUnended(mark);
  return mark.status === status;
}

/**
 * The page of a listing cut from every incident (oldest first), for a store
 * that reads them all anyway: `mark` says what each is, `summary` reads the
 * listed state of those the page holds.
 */
export function pageOf<T>(all: readonly T[], query: ListQuery, mark: (t: T) => ListedMark, summary: (t: T) => IncidentSummary): ListPage {
  const newest: IncidentSummary[] = [];
  const pending: IncidentSummary[] = [];
  let total = 0;
  for (let i = all.length - 1; i >= 0; i--) {
    const m = mark(all[i]!);
    if (keeps(query.status, m) && total++ < (query.limit || Infinity)) newest.push(summary(all[i]!));
    else if (!m || isUnended(m)) pending.push(summary(all[i]!));
  }
  return { newest, total, pending };
}

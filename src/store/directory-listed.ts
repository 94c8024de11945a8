/**
 * The directory store's list of incidents with their listed state, without
 * replaying 10,000 timelines each time: <store>/.listed.json keeps each
 * incident's listed state, used only while its timeline is unchanged
 * (timeline-cache.ts). A broken incident is never kept: its problem is
 * looked at again each time.
 */
import { packageVersion } from '../package-root.js';
import { replayFile } from '../timeline/store.js';
import { LISTED_FIELDS, listedOf, pageOf, type ListedMark } from './listed.js';
import type { Derived, IncidentSummary, ListedState, ListPage, ListQuery } from './store.js';
import { TimelineCache } from './timeline-cache.js';

export const LISTED_CACHE_FILE = '.listed.json';
/** Changes when the format, ListedState or what replaying fills it with changes: an older cache is then ignored. */
const CACHE_VERSION = 3;

/** The listed fields kept, in this order (the id is the entry's key). */
const FIELDS = LISTED_FIELDS.filter((f) => f !== 'id');
const STATUS = FIELDS.indexOf('status');
const RUN = FIELDS.indexOf('run');

/** A listed state, compact (10,000 of them are read by each listing): its values in FIELDS order (null: not set). */
type Values = unknown[];

function valuesOf(listed: ListedState): Values {
  const l = listed as unknown as Record<string, unknown>;
  return FIELDS.map((f) => l[f] ?? null);
}

function listedOfValues(id: string, values: Values): ListedState {
  const l: Record<string, unknown> = { id };
  for (let i = 0; i < FIELDS.length; i++) if (values[i] !== null && values[i] !== undefined) l[FIELDS[i]!] = values[i];
  return l as unknown as ListedState;
}

const summaryOf = (d: Derived<Values>): IncidentSummary =>
  d.error ? { id: d.id, problem: d.error.message } : { id: d.id, state: listedOfValues(d.id, d.value!) };
const markOf = (d: Derived<Values>): ListedMark => d.value && ({ status: d.value[STATUS], run: d.value[RUN] } as ListedMark);

/**
 * One store directory's listed states, read once per process and kept up to
 * date by each listing (each is checked against its timeline every time all
 * the same: another process may have appended since).
 */
export class ListedCache {
  private readonly cache: TimelineCache<Values>;

  constructor(storeDir: string) {
    // another payctl release may replay differently: its listed states are made again
    this.cache = new TimelineCache(storeDir, 'listed', `${CACHE_VERSION} payctl ${packageVersion()}`);
  }

  /** Every incident (a directory with a timeline; or those of `only`), oldest first, with its listed state or its problem. */
  async list(only?: readonly string[]): Promise<IncidentSummary[]> {
    return (await this.checked(only)).map(summaryOf);
  }

  /** A page of the listing: every timeline checked, only the listed states it shows made into objects. */
  async page(query: ListQuery): Promise<ListPage> {
    return pageOf(await this.checked(), query, markOf, summaryOf);
  }

  private async checked(only?: readonly string[]): Promise<Derived<Values>[]> {
    const out: Derived<Values>[] = [];
    await this.cache.walk(
      (file) => valuesOf(listedOf(replayFile(file).state)),
      (d) => out.push(d),
      only,
    );
    return out;
  }
}

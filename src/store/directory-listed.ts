/**
 * The directory store's list of incidents with their listed state, without
 * replaying 10,000 timelines each time: a cache (<store>/.listed.json) holds
 * each incident's listed state beside the size, mtime, ctime and inode its
 * timeline had when it was replayed. An entry is used only while the timeline
 * still has all four: an append always grows the file and moves its mtime and
 * ctime, and a rewrite, a truncation or a replaced file moves its ctime (which
 * no one can set back), so a changed timeline is replayed again and the cache
 * never answers for a timeline it did not read. The stat is taken before the
 * read: an append between the two leaves an entry that no longer matches.
 *
 * The cache is only ever a shortcut: unreadable, of another version, or not
 * writable (a read-only store) it is ignored and the timelines are replayed.
 * It is rewritten (a temp file renamed over it) when an entry changed; a temp
 * file left by a process killed mid-write is removed by a later listing. A
 * broken incident is never cached (its problem is looked at again each time).
 */
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Dirent, type Stats } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { replayFile, TIMELINE_FILE } from '../timeline/store.js';
import { LISTED_FIELDS, listedOf, pageOf, type ListedMark } from './listed.js';
import type { IncidentSummary, ListedState, ListPage, ListQuery } from './store.js';

export const LISTED_CACHE_FILE = '.listed.json';
/** Changes when the format, ListedState or what replaying fills it with changes: an older cache is then ignored. */
const CACHE_VERSION = 2;

/** The listed fields kept in an entry, after its mark (the id is the entry's key). */
const FIELDS = LISTED_FIELDS.filter((f) => f !== 'id');
const MARK = 4;
const STATUS = MARK + FIELDS.indexOf('status');
const RUN = MARK + FIELDS.indexOf('run');

/**
 * One incident in the cache, compact (10,000 of them are read by each
 * listing): the timeline's size, mtime, ctime and inode when it was replayed,
 * then the listed state's values in FIELDS order (null: not set).
 */
type Entry = [size: number, mtime: number, ctime: number, ino: number, ...listed: unknown[]];

interface CacheFile {
  version: number;
  incidents: Record<string, Entry>;
}

function entryOf(st: Stats, listed: ListedState): Entry {
  const l = listed as unknown as Record<string, unknown>;
  return [st.size, st.mtimeMs, st.ctimeMs, st.ino, ...FIELDS.map((f) => l[f] ?? null)];
}

function listedOfEntry(id: string, e: Entry): ListedState {
  const l: Record<string, unknown> = { id };
  for (let i = 0; i < FIELDS.length; i++) {
    const v = e[MARK + i];
    if (v !== null && v !== undefined) l[FIELDS[i]!] = v;
  }
  return l as unknown as ListedState;
}

function matches(e: Entry, st: Stats): boolean {
  return e[0] === st.size && e[1] === st.mtimeMs && e[2] === st.ctimeMs && e[3] === st.ino;
}

/** One incident as checked against its timeline: its entry, or why it cannot be read. */
type Checked = { id: string; entry: Entry; problem?: undefined } | { id: string; entry?: undefined; problem: string };

const summaryOf = (c: Checked): IncidentSummary =>
  c.entry ? { id: c.id, state: listedOfEntry(c.id, c.entry) } : { id: c.id, problem: c.problem! };
const markOf = (c: Checked): ListedMark => c.entry && ({ status: c.entry[STATUS], run: c.entry[RUN] } as ListedMark);

/**
 * One store directory's cache, read once per process and kept up to date by
 * each listing (entries are checked against their timelines every time all
 * the same: another process may have appended since).
 */
export class ListedCache {
  private entries: Map<string, Entry> | undefined;

  /** Every incident (a directory with a timeline; or those of `only`), oldest first, with its listed state or its problem. */
  list(storeDir: string, only?: readonly string[]): IncidentSummary[] {
    return this.check(storeDir, only).map(summaryOf);
  }

  /** A page of the listing: every timeline checked, only the listed states it shows parsed. */
  page(storeDir: string, query: ListQuery): ListPage {
    return pageOf(this.check(storeDir), query, markOf, summaryOf);
  }

  /** Each incident's entry, checked against its timeline (replayed when it changed), oldest first; the cache rewritten when an entry changed. */
  private check(storeDir: string, only?: readonly string[]): Checked[] {
    const names = only ? [...new Set(only)].filter((n) => basename(n) === n && n !== '.' && n !== '..').sort() : incidentDirNames(storeDir);
    if (!names.length) return [];
    const entries = (this.entries ??= readCache(storeDir));
    let changed = false;
    const seen = new Set<string>();
    const out: Checked[] = [];
    // the store directory is absolute and each name one component: joined without path.join (10,000 of them)
    const base = storeDir.endsWith(sep) ? storeDir : storeDir + sep;
    for (const id of names) {
      const file = `${base}${id}${sep}${TIMELINE_FILE}`;
      const st = statSync(file, { throwIfNoEntry: false });
      if (!st?.isFile()) continue; // no timeline yet: not an incident (yet)
      seen.add(id);
      let entry = entries.get(id);
      if (entry && matches(entry, st)) {
        out.push({ id, entry });
        continue;
      }
      changed = true;
      try {
        entry = entryOf(st, listedOf(replayFile(file).state));
        entries.set(id, entry);
        out.push({ id, entry });
      } catch (e) {
        entries.delete(id);
        out.push({ id, problem: (e as Error).message });
      }
    }
    if (!only)
      for (const id of entries.keys())
        if (!seen.has(id)) {
          entries.delete(id); // removed (or broken): not kept
          changed = true;
        }
    if (changed) writeCache(storeDir, entries);
    return out;
  }
}

function incidentDirNames(storeDir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(storeDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  for (const d of entries) if (d.isFile() && TEMP.test(d.name)) removeIfAbandoned(join(storeDir, d.name));
  return entries
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** A cache being written: `.listed.json.<pid>.tmp`. */
const TEMP = /^\.listed\.json\.\d+\.tmp$/;
const ABANDONED_MS = 60_000;

/** A temp file left by a process killed while it wrote the cache (a write takes milliseconds): removed. */
function removeIfAbandoned(file: string): void {
  try {
    if (Date.now() - statSync(file).mtimeMs > ABANDONED_MS) rmSync(file, { force: true });
  } catch {
    // gone already, or a read-only store
  }
}

function readCache(storeDir: string): Map<string, Entry> {
  try {
    const c = JSON.parse(readFileSync(join(storeDir, LISTED_CACHE_FILE), 'utf8')) as CacheFile;
    if (c.version === CACHE_VERSION && c.incidents && typeof c.incidents === 'object') return new Map(Object.entries(c.incidents));
  } catch {
    // none yet, torn, or not readable
  }
  return new Map(); // every timeline is replayed
}

function writeCache(storeDir: string, entries: Map<string, Entry>): void {
  const incidents = Object.fromEntries(entries);
  const file = join(storeDir, LISTED_CACHE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ version: CACHE_VERSION, incidents } satisfies CacheFile));
    renameSync(tmp, file);
  } catch {
    // a read-only store or a full disk: the listing is right all the same, the next one replays again
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was written
    }
  }
}

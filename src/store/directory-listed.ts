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
import { basename, join } from 'node:path';
import { replayFile, timelinePath } from '../timeline/store.js';
import { listedOf } from './listed.js';
import type { IncidentSummary, ListedState } from './store.js';

export const LISTED_CACHE_FILE = '.listed.json';
/** Changes when ListedState or what replaying fills it with changes: an older cache is then ignored. */
const CACHE_VERSION = 1;

interface Entry {
  size: number;
  mtime: number;
  ctime: number;
  ino: number;
  listed: ListedState;
}

interface CacheFile {
  version: number;
  incidents: Record<string, Entry>;
}

/**
 * One store directory's cache, read once per process and kept up to date by
 * each listing (entries are checked against their timelines every time all
 * the same: another process may have appended since).
 */
export class ListedCache {
  private entries: Map<string, Entry> | undefined;

  /** Every incident (a directory with a timeline; or those of `only`), oldest first, with its listed state or its problem. */
  list(storeDir: string, only?: readonly string[]): IncidentSummary[] {
    const names = only ? [...new Set(only)].filter((n) => basename(n) === n && n !== '.' && n !== '..').sort() : incidentDirNames(storeDir);
    if (!names.length) return [];
    const entries = (this.entries ??= readCache(storeDir));
    let changed = false;
    const seen = new Set<string>();
    const out: IncidentSummary[] = [];
    for (const id of names) {
      const file = timelinePath(storeDir, id);
      const st = statSync(file, { throwIfNoEntry: false });
      if (!st?.isFile()) continue; // no timeline yet: not an incident (yet)
      seen.add(id);
      let entry = entries.get(id);
      if (!entry || !matches(entry, st)) {
        changed = true;
        try {
          entry = { ...mark(st), listed: listedOf(replayFile(file).state) };
        } catch (e) {
          entries.delete(id);
          out.push({ id, problem: (e as Error).message });
          continue;
        }
        entries.set(id, entry);
      }
      out.push({ id, state: entry.listed });
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

function mark(st: Stats): Omit<Entry, 'listed'> {
  return { size: st.size, mtime: st.mtimeMs, ctime: st.ctimeMs, ino: st.ino };
}

function matches(e: Entry, st: Stats): boolean {
  return e.size === st.size && e.mtime === st.mtimeMs && e.ctime === st.ctimeMs && e.ino === st.ino;
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

/**
 * The directory store's cache of listed states (src/store/directory-listed.ts):
 * used while a timeline is as it was when it was replayed, never once it has
 * changed (an append, a same-size rewrite with its mtime put back, a replaced
 * file), ignored when unreadable or of another version, and rewritten without
 * the incidents that are gone.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { LISTED_CACHE_FILE } from '../../src/store/directory-listed.js';
import { DirectoryStore } from '../../src/store/directory.js';

async function storeWith(ids: string[]): Promise<{ dir: string; store: DirectoryStore }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'payctl-listed-')), 'incidents');
  const store = new DirectoryStore(dir);
  for (const id of ids) {
    const w = await store.create(id, { actor: 'tester' });
    await w.appendAll([
      { type: 'incident_opened', data: { id, title: `Title of ${id}`, severity: 'sev2', dry_run: false, source: 'test' } },
    ]);
    await w.close();
  }
  return { dir, store };
}

/** The cache file: a header line, then one line per incident, `[id, size, mtime, ctime, inode, listed values]`. */
interface Cache {
  version: unknown;
  incidents: Record<string, unknown[]>;
}
function cacheOf(dir: string): Cache {
  const [header, ...lines] = readFileSync(join(dir, LISTED_CACHE_FILE), 'utf8').trimEnd().split('\n');
  const entries = lines.map((l) => JSON.parse(l) as [string, ...unknown[]]);
  return { version: JSON.parse(header!).version, incidents: Object.fromEntries(entries.map(([id, ...rest]) => [id, rest])) };
}
function writeCache(dir: string, cache: Cache): void {
  const lines = Object.entries(cache.incidents).map(([id, rest]) => JSON.stringify([id, ...rest]));
  writeFileSync(join(dir, LISTED_CACHE_FILE), [JSON.stringify({ version: cache.version }), ...lines].map((l) => `${l}\n`).join(''));
}
/** Change the title an entry of the cache holds (an entry is its mark, then the listed values). */
function editTitle(cache: Cache, id: string, from: string, to: string): void {
  const values = cache.incidents[id]!.at(-1) as unknown[];
  expect(values).toContain(from);
  values[values.indexOf(from)] = to;
}
/** A later process: nothing kept in memory. */
const listFresh = (dir: string) => new DirectoryStore(dir).list();
const titles = async (dir: string) => (await listFresh(dir)).map((s) => s.state?.title ?? s.problem);

it('a listing fills the cache, and the next one answers from it while the timeline is unchanged', async () => {
  const { dir } = await storeWith(['20260101-000001-aaaa', '20260101-000002-bbbb']);
  expect(await titles(dir)).toEqual(['Title of 20260101-000001-aaaa', 'Title of 20260101-000002-bbbb']);
  const cache = cacheOf(dir);
  expect(Object.keys(cache.incidents)).toEqual(['20260101-000001-aaaa', '20260101-000002-bbbb']);
  // an entry that still matches its timeline is taken as it is (nothing replayed): shown by an entry edited here
  editTitle(cache, '20260101-000001-aaaa', 'Title of 20260101-000001-aaaa', 'from the cache');
  writeCache(dir, cache);
  expect(await titles(dir)).toEqual(['from the cache', 'Title of 20260101-000002-bbbb']);
});

it('an append, a same-size rewrite with its mtime put back, and a replaced file are each replayed again', async () => {
  const id = '20260101-000001-aaaa';
  const { dir, store } = await storeWith([id]);
  const file = join(dir, id, 'timeline.jsonl');
  await store.list();
  const poison = () => {
    const cache = cacheOf(dir);
    const values = cache.incidents[id]!.at(-1) as unknown[];
    values[values.findIndex((v: unknown) => typeof v === 'string' && v.startsWith('Title of'))] = 'stale';
    writeCache(dir, cache);
  };

  poison();
  const w = await store.appender(id, { actor: 'tester' });
  await w.appendAll([{ type: 'status_changed', data: { from: 'investigating', to: 'identified' } }]);
  await w.close();
  expect((await listFresh(dir))[0]!.state).toMatchObject({ title: `Title of ${id}`, status: 'identified' });

  // the same number of bytes, the mtime set back: the ctime still moves
  poison();
  const before = statSync(file);
  writeFileSync(file, readFileSync(file, 'utf8').replace(`Title of ${id}`, `Title of ${id.replace('aaaa', 'zzzz')}`));
  utimesSync(file, before.atime, before.mtime);
  expect(statSync(file).size).toBe(before.size);
  expect(await titles(dir)).toEqual([`Title of ${id.replace('aaaa', 'zzzz')}`]);

  // a file put in its place (a restore from a backup)
  poison();
  const copy = `${file}.copy`;
  writeFileSync(copy, readFileSync(file));
  renameSync(copy, file);
  expect(await titles(dir)).toEqual([`Title of ${id.replace('aaaa', 'zzzz')}`]);
});

it('a torn or older cache is ignored; a gone incident leaves it; a broken one is listed with its problem and not cached', async () => {
  const { dir } = await storeWith(['20260101-000001-aaaa', '20260101-000002-bbbb']);
  await listFresh(dir);
  // torn in its first entry (a full disk): the entries from there on are made again
  const header = readFileSync(join(dir, LISTED_CACHE_FILE), 'utf8').split('\n')[0];
  writeFileSync(join(dir, LISTED_CACHE_FILE), `${header}\n["20260101-000001-aaaa",12`);
  expect(await titles(dir)).toEqual(['Title of 20260101-000001-aaaa', 'Title of 20260101-000002-bbbb']);
  expect(Object.keys(cacheOf(dir).incidents)).toEqual(['20260101-000001-aaaa', '20260101-000002-bbbb']);
  const cache = cacheOf(dir);
  cache.version = 1;
  editTitle(cache, '20260101-000001-aaaa', 'Title of 20260101-000001-aaaa', 'older');
  writeCache(dir, cache);
  expect(await titles(dir)).toEqual(['Title of 20260101-000001-aaaa', 'Title of 20260101-000002-bbbb']);

  rmSync(join(dir, '20260101-000001-aaaa'), { recursive: true });
  writeFileSync(join(dir, '20260101-000002-bbbb', 'timeline.jsonl'), '');
  const listed = await listFresh(dir);
  expect(listed).toEqual([{ id: '20260101-000002-bbbb', problem: expect.stringContaining('does not begin with incident_opened') }]);
  expect(cacheOf(dir).incidents).toEqual({});
});

it('listing only some incidents checks those; a temp file left by a killed writer is removed once it is old', async () => {
  const { dir, store } = await storeWith(['20260101-000001-aaaa', '20260101-000002-bbbb']);
  expect((await store.list(['20260101-000002-bbbb', '20260101-000009-nope', '../x'])).map((s) => s.id)).toEqual(['20260101-000002-bbbb']);
  const left = join(dir, `${LISTED_CACHE_FILE}.999999.tmp`);
  const fresh = join(dir, `${LISTED_CACHE_FILE}.999998.tmp`);
  writeFileSync(left, '{');
  writeFileSync(fresh, '{');
  const old = new Date(Date.now() - 120_000);
  utimesSync(left, old, old);
  await listFresh(dir);
  expect(existsSync(left)).toBe(false);
  expect(existsSync(fresh)).toBe(true); // may be a write under way
});

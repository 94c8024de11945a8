/**
 * The directory store's cache of values derived from timelines
 * (src/store/timeline-cache.ts): read a line at a time beside the incident
 * directories, a value derived again only for a timeline that changed, the
 * file rewritten only when an entry changed (the lines before the change
 * copied as they were), a torn or older file ignored from where it breaks.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import type { Derived } from '../../src/store/store.js';
import { TimelineCache } from '../../src/store/timeline-cache.js';

let dir: string;
const id = (n: number) => `20260101-00000${n}-abcd`;
const timeline = (n: number) => join(dir, id(n), 'timeline.jsonl');
const cacheFile = () => join(dir, '.lengths.json');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'payctl-timeline-cache-'));
  for (const n of [1, 2, 3, 4]) {
    mkdirSync(join(dir, id(n)));
    writeFileSync(timeline(n), `${'x'.repeat(n)}\n`);
  }
});

/** A walk deriving each timeline's length; which incidents were derived (not taken from the cache), and what was visited. */
async function walk(version = 1, only?: string[]): Promise<{ derived: string[]; visited: Derived<number>[] }> {
  const derived: string[] = [];
  const visited: Derived<number>[] = [];
  const derive = (file: string, incident: string) => {
    derived.push(incident);
    const text = readFileSync(file, 'utf8');
    if (text.startsWith('broken')) throw new Error('not a timeline');
    return text.length;
  };
  await new TimelineCache<number>(dir, 'lengths', version).walk(derive, (d) => visited.push(d), only);
  return { derived, visited };
}

const lines = () => readFileSync(cacheFile(), 'utf8').split('\n');

it('the first walk derives every value and keeps them; the next takes them all from the file, which it leaves as it is', async () => {
  const first = await walk();
  expect(first.derived).toEqual([id(1), id(2), id(3), id(4)]);
  expect(first.visited).toEqual([1, 2, 3, 4].map((n) => ({ id: id(n), value: n + 1 })));
  expect(lines()[0]).toBe('{"version":1}');
  const before = statSync(cacheFile());
  const second = await walk();
  expect(second.derived).toEqual([]);
  expect(second.visited).toEqual(first.visited);
  const after = statSync(cacheFile());
  expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
});

it('a changed timeline is derived again; the lines before it are copied as they were, an incident gone is dropped, a new one added', async () => {
  await walk();
  const old = lines();
  appendFileSync(timeline(3), 'more\n');
  rmSync(join(dir, id(2)), { recursive: true });
  mkdirSync(join(dir, id(5)));
  writeFileSync(timeline(5), 'five\n');
  const r = await walk();
  expect(r.derived).toEqual([id(3), id(5)]);
  expect(r.visited.map((d) => [d.id, d.value])).toEqual([
    [id(1), 2],
    [id(3), 9],
    [id(4), 5],
    [id(5), 5],
  ]);
  const now = lines();
  expect(now.slice(0, 2)).toEqual(old.slice(0, 2)); // the header and incident 1, untouched
  expect(now).toHaveLength(6); // header, four incidents, the final newline
  expect((await walk()).derived).toEqual([]);
});

it('a torn last line is derived again and the file repaired; a file of another version is ignored and replaced', async () => {
  await walk();
  const text = readFileSync(cacheFile(), 'utf8');
  writeFileSync(cacheFile(), text.slice(0, text.length - 10));
  expect((await walk()).derived).toEqual([id(4)]);
  expect(readFileSync(cacheFile(), 'utf8')).toBe(text);
  expect((await walk(2)).derived).toEqual([id(1), id(2), id(3), id(4)]);
  expect(lines()[0]).toBe('{"version":2}');
  // a line edited by hand into something else is derived again
  writeFileSync(cacheFile(), readFileSync(cacheFile(), 'utf8').replace(/^\["20260101-000002-abcd",.*$/m, '["20260101-000002-abcd",1,2]'));
  expect((await walk(2)).derived).toEqual([id(2)]);
});

it('a timeline that cannot be derived is visited with its error and never kept; walking only some incidents writes nothing', async () => {
  writeFileSync(timeline(2), 'broken\n');
  const r = await walk();
  expect(r.visited[1]).toEqual({ id: id(2), error: new Error('not a timeline') });
  expect(lines().some((l) => l.includes(id(2)))).toBe(false);
  const before = statSync(cacheFile());
  expect((await walk()).derived).toEqual([id(2)]); // looked at again, and nothing rewritten for it
  expect(statSync(cacheFile()).mtimeMs).toBe(before.mtimeMs);

  appendFileSync(timeline(4), 'more\n');
  const some = await walk(1, [id(4), id(9), '../x']);
  expect(some.visited.map((d) => d.id)).toEqual([id(4)]);
  expect(some.derived).toEqual([id(4)]);
  expect(statSync(cacheFile()).mtimeMs).toBe(before.mtimeMs);
});

/**
 * Watching a directory store's timeline: only complete lines are read (a line
 * half-written when the watcher wakes is read once it ends), each event once,
 * in order, from the seq after `after`.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DirectoryStore } from '../../src/store/directory.js';
import type { TimelineEvent } from '../../src/timeline/events.js';
import { openIncidentIn } from '../helpers/incidents.js';
import { waitUntil } from '../helpers/wait.js';

const until = (ok: () => boolean, ms = 5000) => waitUntil(ok, { ms, what: 'the watched events', every: 10 });

it('a half-written line is read once it is complete; events after `after` come once, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-dwatch-'));
  const store = new DirectoryStore(dir);
  const id = '20261206-043000-abcd';
  await openIncidentIn(store, id, {
    actor: 'a',
    title: 't',
    more: [
      { type: 'note_added', data: { text: 'one' } },
      { type: 'note_added', data: { text: 'two' } },
    ],
  });
  // the third line, taken out and written back in two halves
  const file = store.where(id);
  const lines = readFileSync(file, 'utf8').split('\n');
  const third = `${lines[2]}\n`;
  writeFileSync(file, `${lines[0]}\n${lines[1]}\n`);

  const got: TimelineEvent[] = [];
  const stop = new AbortController();
  const watching = store.watch(id, 1, (evs) => got.push(...evs), stop.signal);
  await until(() => got.length === 1);
  appendFileSync(file, third.slice(0, 20));
  await new Promise((r) => setTimeout(r, 700)); // past a poll
  expect(got.map((e) => e.seq)).toEqual([2]);
  appendFileSync(file, third.slice(20));
  await until(() => got.length === 2);
  expect(got.map((e) => e.data)).toEqual([{ text: 'one' }, { text: 'two' }]);
  stop.abort();
  await watching;
});

it('an incident created while watching the store is reported, and a change to an existing one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-dwatch-'));
  const store = new DirectoryStore(dir);
  const open = (id: string) => openIncidentIn(store, id, { actor: 'a', title: 't' });
  await open('20261206-043100-aaaa');
  const changed: string[] = [];
  const stop = new AbortController();
  const watching = store.watchList((id) => changed.push(id), stop.signal);
  await new Promise((r) => setTimeout(r, 100));
  expect(changed).toEqual([]);
  await open('20261206-043101-bbbb');
  await until(() => changed.includes('20261206-043101-bbbb'));
  const w = await store.appender('20261206-043100-aaaa', { actor: 'b' });
  await w.appendAll([{ type: 'note_added', data: { text: 'later' } }]);
  await w.close();
  await until(() => changed.includes('20261206-043100-aaaa'));
  stop.abort();
  await watching;
});

it('a store directory that does not exist yet (nothing to fs.watch) is still watched: the poll sees its first incident', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'payctl-dwatch-')), 'incidents');
  const store = new DirectoryStore(dir);
  const changed: string[] = [];
  const stop = new AbortController();
  const watching = store.watchList((id) => changed.push(id), stop.signal);
  const id = '20261206-043200-cccc';
  await openIncidentIn(store, id, { actor: 'a', title: 't' });
  await until(() => changed.includes(id), 3000);
  stop.abort();
  await watching;
});

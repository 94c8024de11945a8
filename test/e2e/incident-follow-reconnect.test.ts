/**
 * incident follow (and list --watch) on PostgreSQL outlive their connection:
 * the built payctl follows an incident; its connection is cut (its backend
 * terminated while the follower is stopped with SIGSTOP, so that events are
 * appended while it cannot hear them; or the whole server stopped and started
 * again). It says so on stderr, connects again with backoff, and prints every
 * event it missed, in order, each once; list --watch lists again with what
 * changed meanwhile.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { PostgresStore } from '../../src/store/postgres.js';
import { openIncidentIn } from '../helpers/incidents.js';
import { hasStackTrace } from '../helpers/run-cli.js';
import { killRunning, type RunningPayctl, spawnRunning } from '../helpers/running.js';
import { describeWithPostgres, freshStoreForSuite, openTestStore, ownCluster, type OwnCluster } from '../helpers/postgres.js';

type Follower = RunningPayctl;

afterEach(killRunning);

function follow(id: string, url: string): Follower {
  return payctl(['incident', 'follow', id, '--json'], url);
}

function payctl(args: string[], url: string): Follower {
  return spawnRunning(args, mkdtempSync(join(tmpdir(), 'payctl-follow-again-')), { PAYCTL_STORE: url });
}

/** What a --json follower printed, one event a line. */
function eventsOf(f: Follower): { seq: number; type: string; data: { text?: string } }[] {
  return f.lines.filter((l) => l.text).map((l) => JSON.parse(l.text));
}

async function until(what: string, ok: () => boolean, f: Follower, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${ms} ms\nstdout events: ${JSON.stringify(eventsOf(f))}\nstderr:\n${f.stderr()}`);
    if (f.child.exitCode !== null) throw new Error(`${what}: the follower exited ${f.child.exitCode}\nstderr:\n${f.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An incident opened by someone else, with a first note. */
const openIncident = (store: PostgresStore, id: string) =>
  openIncidentIn(store, id, { more: [{ type: 'note_added', data: { text: 'first look' } }] });

async function note(url: string, id: string, text: string): Promise<void> {
  const s = await openTestStore(url);
  try {
    const a = await s.appender(id, { actor: 'someone' });
    await a.appendAll([{ type: 'note_added', data: { text } }]);
  } finally {
    await s.close();
  }
}

/** The notes printed, and that the seqs run 1, 2, 3, … without a gap or a repeat. */
function notesInOrder(f: Follower): string[] {
  const evs = eventsOf(f);
  expect(evs.map((e) => e.seq)).toEqual(evs.map((_e, i) => i + 1));
  return evs.filter((e) => e.type === 'note_added').map((e) => e.data.text!);
}

describeWithPostgres('incident follow on PostgreSQL, the connection lost', () => {
  const db = freshStoreForSuite();

  it('its backend terminated while events are appended: it says so, connects again and prints each missed event once, in order', async () => {
    const id = '20261206-050000-f0f0';
    await openIncident(db.store, id);
    const f = follow(id, db.url);
    await until('following', () => f.stderr().includes('following'), f);
    await note(db.url, id, 'before');
    await until('the note before', () => notesInOrder(f).includes('before'), f);

    // stopped, it cannot hear anything; its LISTEN connection is cut meanwhile and three notes are appended
    f.child.kill('SIGSTOP');
    await cutWatchConnection(db.url, f.child.pid!);
    for (const text of ['while away 1', 'while away 2', 'while away 3']) await note(db.url, id, text);
    f.child.kill('SIGCONT');

    await until('the missed notes', () => notesInOrder(f).includes('while away 3'), f);
    expect(f.stderr()).toMatch(/warning: the incident store .* cannot be reached: .*; connecting again in \d+\.\d s \(attempt 1\)/);
    expect(f.stderr()).toContain('answers again; caught up');
    await note(db.url, id, 'after');
    await until('the note after', () => notesInOrder(f).includes('after'), f);
    expect(notesInOrder(f)).toEqual(['first look', 'before', 'while away 1', 'while away 2', 'while away 3', 'after']);
    expect(hasStackTrace(f.stderr())).toBe(false);
    expect(f.stderr()).not.toContain(db.url);
    f.child.kill('SIGINT');
    expect(await f.exited).toBe(0);
  }, 60_000);
});

/** Cut a payctl's LISTEN connection (its backend terminated) while the process is stopped. */
async function cutWatchConnection(url: string, pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const cut = await admin.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'payctl watch pid ${pid}'`,
    );
    expect(cut.rows).toEqual([{ ok: true }]);
  } finally {
    await admin.end();
  }
}

describeWithPostgres('incident list --watch on PostgreSQL, the connection lost', () => {
  const db = freshStoreForSuite();

  it('lists again with the incidents opened or changed while it could not hear', async () => {
    await openIncident(db.store, '20261206-052000-a0a0');
    const w = payctl(['incident', 'list', '--watch', '--json'], db.url);
    const listings = (): { id: string; status: string }[][] => w.lines.filter((l) => l.text).map((l) => JSON.parse(l.text));
    await until('watching', () => w.stderr().includes('watching for changes'), w);
    expect(
      listings()
        .at(-1)!
        .map((r) => r.id),
    ).toEqual(['20261206-052000-a0a0']);

    w.child.kill('SIGSTOP');
    await cutWatchConnection(db.url, w.child.pid!);
    await openIncident(db.store, '20261206-052100-b1b1');
    w.child.kill('SIGCONT');
    await until('a listing with the new incident', () => listings().at(-1)!.length === 2, w);
    expect(
      listings()
        .at(-1)!
        .map((r) => r.id),
    ).toEqual(['20261206-052100-b1b1', '20261206-052000-a0a0']);
    expect(w.stderr()).toMatch(/warning: the incident store .* cannot be reached: .*; connecting again in/);
    expect(w.stderr()).toContain('answers again');
    w.child.kill('SIGINT');
    expect(await w.exited).toBe(0);
  }, 60_000);
});

describeWithPostgres('incident follow on PostgreSQL, the server stopped and started again', () => {
  let cluster: OwnCluster;
  beforeAll(async () => {
    cluster = await ownCluster();
  }, 90_000);
  afterAll(async () => cluster?.close());

  it('retries with backoff while the server is down, then prints what was appended once it is back', async () => {
    const id = '20261206-051000-f1f1';
    const store = await openTestStore(cluster.url);
    try {
      await openIncident(store, id);
    } finally {
      await store.close();
    }
    const f = follow(id, cluster.url);
    await until('following', () => f.stderr().includes('following'), f);

    cluster.stop();
    // several attempts, each said, the waits growing
    await until('a third attempt', () => f.stderr().includes('(attempt 3)'), f);
    const waits = [...f.stderr().matchAll(/connecting again in (\d+\.\d) s/g)].map((m) => Number(m[1]));
    expect(waits[2]!).toBeGreaterThan(waits[0]!);
    cluster.start();
    await note(cluster.url, id, 'once it was back');
    await until('the note', () => notesInOrder(f).includes('once it was back'), f);
    await until('back', () => f.stderr().includes('answers again'), f);
    expect(notesInOrder(f)).toEqual(['first look', 'once it was back']);
    f.child.kill('SIGINT');
    expect(await f.exited).toBe(0);
  }, 90_000);
});

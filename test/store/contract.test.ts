/**
 * The store contract, one suite run against each backend: the directory store
 * (a temp directory) and the PostgreSQL store (a fresh database on the test
 * server; see test/helpers/postgres.ts). Several processes are real ones
 * (test/store/store-worker.mjs through the built code).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStore } from '../../src/store/directory.js';
import { listedOf } from '../../src/store/listed.js';
import type { Store } from '../../src/store/store.js';
import type { NewEvent, TimelineEvent } from '../../src/timeline/events.js';
import { replay } from '../../src/timeline/replay.js';
import { GENESIS } from '../../src/timeline/events.js';
import { chainEvents, sha256 } from '../../src/timeline/writer.js';
import { asSuperuser, describeWithPostgres, freshDatabase, freshStoreForSuite, openTestStore } from '../helpers/postgres.js';

const WORKER = fileURLToPath(new URL('./store-worker.mjs', import.meta.url));

interface Backend {
  /** A new, empty store, and what a worker process is given to open it. */
  open(): Promise<{ store: Store; where: string }>;
  /** Remove an incident's last event, as someone with write access to the files or the database could. */
  deleteLastEvent(where: string, id: string): Promise<void>;
  /** Put `n` incidents in, fast (bulk, not through the appender). */
  seed(where: string, n: number): Promise<void>;
  /** An incident without a single event (a create killed before its first append). */
  addEmpty(where: string, id: string): Promise<void>;
}

const opened = (id: string, title = 'Card payments failing'): NewEvent => ({
  type: 'incident_opened',
  data: { id, title, severity: 'sev2', dry_run: false, source: 'test' },
});

function seedLines(id: string, i: number): { events: TimelineEvent[]; lines: string[] } {
  const t = Date.UTC(2026, 0, 1) + i * 1000;
  let k = 0;
  return chainEvents(
    [opened(id, `Incident ${i}`), { type: 'note_added', data: { text: `note ${i}` } }],
    { count: 0, last: GENESIS },
    'seed',
    () => new Date(t + k++),
  );
}

const directory: Backend = {
  async open() {
    const dir = join(mkdtempSync(join(tmpdir(), 'payctl-store-')), 'incidents');
    return { store: new DirectoryStore(dir), where: dir };
  },
  async deleteLastEvent(dir, id) {
    const file = join(dir, id, 'timeline.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, lines.slice(0, -1).join('\n') + '\n');
  },
  async seed(dir, n) {
    for (let i = 0; i < n; i++) {
      const id = `20260101-${String(i).padStart(6, '0')}-seed`;
      mkdirSync(join(dir, id), { recursive: true });
      writeFileSync(join(dir, id, 'timeline.jsonl'), seedLines(id, i).lines.join('\n') + '\n');
    }
  },
  async addEmpty(dir, id) {
    mkdirSync(join(dir, id), { recursive: true });
    writeFileSync(join(dir, id, 'timeline.jsonl'), '');
  },
};

const postgres: Backend = {
  async open() {
    const url = await freshDatabase();
    return { store: await openTestStore(url), where: url };
  },
  async deleteLastEvent(url, id) {
    // a superuser can switch the append-only triggers off; the head on the incident's row stays
    await asSuperuser(
      url,
      `BEGIN; SET LOCAL session_replication_role = replica;
       DELETE FROM payctl_events WHERE incident_id = '${id}' AND seq = (SELECT max(seq) FROM payctl_events WHERE incident_id = '${id}');
       COMMIT;`,
    );
  },
  async seed(url, n) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      for (let from = 0; from < n; from += 1000) {
        const ids: string[] = [];
        const states: string[] = [];
        const listed: string[] = [];
        const ev: { id: string[]; seq: number[]; prev: string[]; line: string[] } = { id: [], seq: [], prev: [], line: [] };
        for (let i = from; i < Math.min(n, from + 1000); i++) {
          const id = `20260101-${String(i).padStart(6, '0')}-seed`;
          const { events, lines } = seedLines(id, i);
          ids.push(id);
          const state = replay(events);
          if (!state) throw new Error(`the seed for ${id} does not open an incident`);
          states.push(JSON.stringify(state));
          listed.push(JSON.stringify(listedOf(state)));
          events.forEach((e, k) => {
            ev.id.push(id);
            ev.seq.push(e.seq);
            ev.prev.push(e.prev);
            ev.line.push(lines[k]!);
          });
        }
        await c.query('BEGIN');
        await c.query('INSERT INTO payctl_incidents (id, state, listed) SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[])', [
          ids,
          states,
          listed,
        ]);
        await c.query(
          'INSERT INTO payctl_events (incident_id, seq, prev, line) SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[])',
          [ev.id, ev.seq, ev.prev, ev.line],
        );
        await c.query('COMMIT');
      }
    } finally {
      await c.end();
    }
  },
  async addEmpty(url, id) {
    await asSuperuser(url, `INSERT INTO payctl_incidents (id) VALUES ('${id}')`);
  },
};

/** Spawn a worker; resolves with its exit code and output. */
function worker(args: string[]): {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill: () => void;
  started: Promise<string>;
} {
  const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onOut: (s: string) => void = () => undefined;
  const started = new Promise<string>((resolve) => (onOut = resolve));
  child.stdout.on('data', (d) => {
    stdout += d;
    onOut(stdout);
  });
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { done, kill: () => child.kill('SIGKILL'), started };
}

function contract(name: string, backend: Backend): void {
  let store: Store;
  let where: string;
  beforeAll(async () => {
    ({ store, where } = await backend.open());
  });
  afterAll(async () => {
    await store?.close();
  });

  it(`${name}: create, append, replay, verify, head, list`, async () => {
    const id = '20260101-020000-aaaa';
    const w = await store.create(id, { actor: 'tester', now: () => new Date('2026-01-01T02:00:00Z') });
    const written = await w.appendAll([opened(id), { type: 'milestone', data: { name: 'detected' } }]);
    await w.appendAll([{ type: 'note_added', data: { text: 'first note' } }]);
    await w.close();
    expect(written.map((e) => e.seq)).toEqual([1, 2]);
    expect(written[0]!.prev).toBe(GENESIS);
    const { state } = await store.replay(id);
    expect(state).toMatchObject({ id, status: 'investigating', event_count: 3, notes: [{ text: 'first note' }] });
    expect(await store.verify(id)).toMatchObject({ ok: true, events: 3 });
    expect((await store.head(id))?.count).toBe(3);
    expect((await store.read(id)).events.map((e) => e.type)).toEqual(['incident_opened', 'milestone', 'note_added']);
    expect(await store.list()).toEqual([
      { id, state: expect.objectContaining({ id, title: 'Card payments failing', status: 'investigating' }) },
    ]);
    expect(await store.latest((s) => s.status === 'investigating')).toBe(id);
    await expect(store.require('20260101-020000-zzzz')).rejects.toThrow('no incident "20260101-020000-zzzz"');
    await expect(store.appender('../etc')).rejects.toThrow('is not an incident id');
  });

  it(`${name}: lines() gives back each stored line as scan() numbers it, across pages of 2,000, each hashed by the next event's prev`, async () => {
    const id = '20260101-025000-abab';
    const w = await store.create(id, { actor: 'tester' });
    const notes: NewEvent[] = Array.from({ length: 2_500 }, (_, i) => ({ type: 'note_added', data: { text: `note ${i} é✓` } }));
    await w.appendAll([opened(id), ...notes]);
    await w.close();
    const got: { line: string; no: number }[] = [];
    await store.lines(id, (bytes, start, end, no) => got.push({ line: bytes.toString('utf8', start, end), no }));
    const t = await store.read(id);
    expect(got.map((l) => l.line)).toEqual(t.lines);
    expect(got.map((l) => l.no)).toEqual(t.lineNumbers);
    expect(t.events.slice(1).every((e, i) => e.prev === sha256(got[i]!.line))).toBe(true);
    await expect(store.lines('20260101-025000-zzzz', () => undefined)).rejects.toThrow('no incident "20260101-025000-zzzz"');
  });

  it(`${name}: 4 processes appending 250 notes each at once make one chain of 1,000 notes, no gap`, async () => {
    const id = '20260101-030000-bbbb';
    const w = await store.create(id, { actor: 'tester' });
    await w.appendAll([opened(id)]);
    await w.close();
    const go = join(mkdtempSync(join(tmpdir(), 'payctl-go-')), 'go');
    const workers = ['w1', 'w2', 'w3', 'w4'].map((who) => worker([where, 'append', id, who, '250', go]));
    await new Promise((r) => setTimeout(r, 500)); // all four connected and waiting
    writeFileSync(go, '');
    const results = await Promise.all(workers.map((x) => x.done));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const t = await store.read(id);
    expect(t.events.map((e) => e.seq)).toEqual(Array.from({ length: 1001 }, (_, i) => i + 1));
    for (const who of ['w1', 'w2', 'w3', 'w4']) {
      const mine = t.events.filter((e) => e.actor === who).map((e) => (e.data as { text: string }).text);
      expect(mine).toEqual(Array.from({ length: 250 }, (_, i) => `${who} ${i}`));
    }
    expect(await store.verify(id)).toMatchObject({ ok: true, events: 1001 });
  }, 120_000);

  it(`${name}: the run lock is refused to a second process naming the holder, and free once the holder is killed`, async () => {
    const id = '20260101-040000-cccc';
    const w = await store.create(id);
    await w.appendAll([opened(id)]);
    await w.close();
    const holder = worker([where, 'lock', id]);
    await holder.started;
    await expect(store.locks.run(id)).rejects.toThrow(/is being run by another payctl \(pid \d+\)/);
    // seen without taking it: a live run, and no other incident's
    expect(await store.locks.runsHeld([id, '20260101-040000-cccd'])).toEqual(new Set([id]));
    holder.kill();
    await holder.done;
    // a database notices a killed client's closed connection a moment later: its lock goes with the session
    const until = Date.now() + 10_000;
    while ((await store.locks.runsHeld([id])).size && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await store.locks.runsHeld([id])).toEqual(new Set());
    const release = await store.locks.run(id);
    expect(await store.locks.runsHeld([id])).toEqual(new Set([id]));
    await release();
    expect(await store.locks.runsHeld([id])).toEqual(new Set());
  }, 30_000);

  it(`${name}: a deleted last event is caught by verify`, async () => {
    const id = '20260101-050000-dddd';
    const w = await store.create(id);
    await w.appendAll([opened(id), { type: 'note_added', data: { text: 'one' } }, { type: 'note_added', data: { text: 'two' } }]);
    await w.close();
    expect((await store.verify(id)).ok).toBe(true);
    await backend.deleteLastEvent(where, id);
    const r = await store.verify(id);
    expect(r).toMatchObject({ ok: false, events: 2 });
    expect(r.message).toContain('recorded 3 events but its timeline ends at event 2: the last event was removed');
  });

  it(`${name}: a page of the listing: the newest the filter keeps, their count, and the unended and broken ones beyond them`, async () => {
    const { store: s, where: w } = await backend.open();
    try {
      const at = (n: number) => `20260102-00000${n}-page`;
      const add = async (n: number, ...then: NewEvent[]) => {
        const a = await s.create(at(n), { actor: 'tester' });
        await a.appendAll([opened(at(n), `Incident ${n}`), ...then]);
        await a.close();
      };
      const resolved: NewEvent = { type: 'status_changed', data: { from: 'investigating', to: 'resolved' } };
      const started: NewEvent = { type: 'run_started', data: { pid: 1, resume: false, dry_run: false } };
      await add(1, resolved);
      await add(2, started, { type: 'run_stopped', data: { reason: 'no person to ask', exit_code: 3 } });
      await backend.addEmpty(w, at(3));
      await add(4, { type: 'incident_cancelled', data: { reason: 'not an incident' } });
      await add(5, started);
      await add(6, started, { type: 'run_finished', data: { outcome: 'ok' } });
      await add(7, resolved);
      const ids = async (q: Parameters<Store['listPage']>[0]) => {
        const p = await s.listPage(q);
        const n = (l: { id: string }[]) => l.map((x) => Number(x.id.slice(14, 15)));
        return { newest: n(p.newest), total: p.total, pending: n(p.pending) };
      };
      expect(await ids({ limit: 2 })).toEqual({ newest: [7, 6], total: 7, pending: [5, 3, 2] });
      expect(await ids({ limit: 0 })).toEqual({ newest: [7, 6, 5, 4, 3, 2, 1], total: 7, pending: [] });
      expect(await ids({ status: 'open', limit: 1 })).toEqual({ newest: [6], total: 3, pending: [5, 3, 2] });
      expect(await ids({ status: 'resolved', limit: 0 })).toEqual({ newest: [7, 1], total: 2, pending: [5, 3, 2] });
      expect(await ids({ status: 'cancelled', limit: 5 })).toEqual({ newest: [4], total: 1, pending: [5, 3, 2] });
      expect(await ids({ status: 'unended', limit: 0 })).toEqual({ newest: [5, 2], total: 2, pending: [3] });
      const page = await s.listPage({ limit: 1 });
      expect(page.newest[0]!.state).toMatchObject({ id: at(7), title: 'Incident 7', status: 'resolved' });
      expect(page.pending.map((p) => p.state?.run ?? p.problem)).toEqual(['running', expect.any(String), 'stopped']);
    } finally {
      await s.close();
    }
  });

  it(`${name}: derived values are kept while each timeline is unchanged, and derived again after an append`, async () => {
    const { store: s, where: w } = await backend.open();
    try {
      const at = (n: number) => `20260103-00000${n}-kept`;
      for (const n of [1, 2, 3]) {
        const a = await s.create(at(n), { actor: 'tester' });
        await a.appendAll([opened(at(n), `Incident ${n}`)]);
        await a.close();
      }
      await backend.addEmpty(w, at(4)); // created, never opened: cannot be derived
      const walk = async (version = 1) => {
        const derived: string[] = [];
        const seen: unknown[] = [];
        const derivation = {
          name: 'event-counts',
          version,
          derive: async (id: string) => {
            derived.push(id);
            return { events: (await s.replay(id)).state.event_count };
          },
        };
        await s.eachDerived(derivation, (d) => seen.push(d.error ? [d.id, 'error'] : [d.id, d.value.events]));
        return { derived, seen };
      };
      const first = await walk();
      expect(first.seen).toEqual([
        [at(1), 1],
        [at(2), 1],
        [at(3), 1],
        [at(4), 'error'],
      ]);
      expect(first.derived).toEqual([at(1), at(2), at(3), at(4)]);
      expect((await walk()).derived).toEqual([at(4)]);
      const a = await s.appender(at(2), { actor: 'tester' });
      await a.appendAll([{ type: 'note_added', data: { text: 'more' } }]);
      await a.close();
      const after = await walk();
      expect(after.derived).toEqual([at(2), at(4)]);
      expect(after.seen[1]).toEqual([at(2), 2]);
      expect((await walk(2)).derived).toEqual([at(1), at(2), at(3), at(4)]);
    } finally {
      await s.close();
    }
  });

  it(`${name}: 10,000 incidents listed`, async () => {
    const before = (await store.ids()).length;
    await backend.seed(where, 10_000);
    const listed = await store.list();
    expect(listed).toHaveLength(before + 10_000);
    const seeded = listed.filter((l) => l.id.endsWith('-seed'));
    expect(seeded[0]).toMatchObject({ id: '20260101-000000-seed', state: { title: 'Incident 0', status: 'investigating' } });
    expect(seeded.at(-1)).toMatchObject({ id: '20260101-009999-seed', state: { title: 'Incident 9999' } });
    expect(await store.latest((s) => s.title === 'Incident 5000')).toBe('20260101-005000-seed');
    // a first cut on the listed state: only the incidents it keeps are replayed, newest first
    const replayed: string[] = [];
    const cut = (l: { title: string }) => /^Incident \d*000$/.test(l.title);
    expect(await store.latest((s) => (replayed.push(s.title), false), cut)).toBeUndefined();
    expect(replayed).toEqual(Array.from({ length: 9 }, (_, i) => `Incident ${(9 - i) * 1000}`));
    expect(await store.latest((s) => s.title === 'Incident 5000', cut)).toBe('20260101-005000-seed');
    // a page of the newest, counted over all of them
    const page = await store.listPage({ limit: 50 });
    expect(page.newest.map((l) => l.id)).toEqual(
      listed
        .slice(-50)
        .reverse()
        .map((l) => l.id),
    );
    expect(page.total).toBe(before + 10_000);
  }, 120_000);
}

describe('store contract: directory', () => contract('directory', directory));
describeWithPostgres('store contract: postgres', () => contract('postgres', postgres));

describeWithPostgres('postgres store: watch', () => {
  const db = freshStoreForSuite();

  it('delivers events appended by another connection, in order, each once', async () => {
    const { store } = db;
    const id = '20260101-060000-eeee';
    const w = await store.create(id);
    await w.appendAll([opened(id)]);
    const seen: number[] = [];
    const ac = new AbortController();
    const watching = store.watch(id, 1, (evs) => seen.push(...evs.map((e) => e.seq)), ac.signal);
    const other = await openTestStore(store.url);
    const ow = await other.appender(id);
    for (let i = 0; i < 5; i++) await ow.appendAll([{ type: 'note_added', data: { text: `n${i}` } }]);
    await ow.appendAll([
      { type: 'note_added', data: { text: 'a' } },
      { type: 'note_added', data: { text: 'b' } },
    ]);
    const deadline = Date.now() + 5000;
    while (seen.length < 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await watching;
    await other.close();
    expect(seen).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });
});

describeWithPostgres('postgres store: a run lock whose connection is lost', () => {
  const db = freshStoreForSuite();
  /** End the sessions that hold an incident's run lock, as a server restart or a network cut would. */
  const cut = (id: string) =>
    asSuperuser(db.url, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'payctl run:${id}%'`);
  const until = async (what: () => Promise<boolean>, ms = 15_000) => {
    const end = Date.now() + ms;
    while (!(await what()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return what();
  };

  it('is taken back by its holder when the server answers', async () => {
    const id = '20260105-000000-back';
    const holder = worker([db.url, 'lock', id]);
    await holder.started;
    await cut(id);
    expect(await until(async () => (await db.store.locks.runsHeld([id])).has(id))).toBe(true);
    await expect(db.store.locks.run(id)).rejects.toThrow(/is being run by another payctl \(pid \d+/);
    holder.kill();
    const r = await holder.done;
    expect(r.stderr).toContain(`the run lock of incident ${id} is held again`);
  }, 30_000);

  it('taken by another payctl meanwhile: the holder stops (SIGTERM), never two runs at once', async () => {
    const id = '20260105-000000-lost';
    const holder = worker([db.url, 'lock', id]);
    await holder.started;
    // in one session: the holder's connection ended, and its lock taken the moment it is free (before the holder retries)
    const h = createHash('sha256').update(`payctl:run:${id}`).digest(); // the lock's keys, as pg-locks.ts makes them
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    await other.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'payctl run:${id}%'`);
    await other.query('SELECT pg_advisory_lock($1, $2)', [h.readInt32BE(0), h.readInt32BE(4)]);
    const r = await holder.done;
    expect(r.stderr).toContain(`the run lock of incident ${id} was taken by another payctl`);
    expect(r.stderr).toContain('this process stops, so that two runs do not act twice');
    expect(r.code).toBeNull(); // ended by its SIGTERM (a payctl run saves its incident on it)
    await other.end();
  }, 30_000);
});

/**
 * The run lock and the routing lock of a database store: session-level
 * advisory locks, each on a connection of its own held for as long as the
 * lock. A holder that dies (SIGKILL, a lost network) loses its connection and
 * with it the lock, so there is never a stale lock to judge. Who holds a lock
 * (pid, host, incident) is written to payctl_lock_holders once it is taken,
 * for the message of those refused, and is also the connection's
 * application_name (pg_stat_activity). Whether a run is live is read from
 * pg_locks, without trying the lock. A holder whose connection is lost takes
 * its lock back when the server answers, or stops if another payctl got it.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Client } from 'pg';
import { OperationError } from '../errors.js';
import { describeHolder, type LockHolder, type Release, type StoreLocks } from '../timeline/lock.js';
import { backoffDelay } from '../backoff.js';
import { connectClient, storeError } from './pg-client.js';

/** The two int4 keys of an advisory lock, from a hash of its name. */
function lockKeys(name: string): [number, number] {
  const h = createHash('sha256').update(`payctl:${name}`).digest();
  return [h.readInt32BE(0), h.readInt32BE(4)];
}

interface Attempt {
  held?: { client: Client; release: Release };
  holder?: LockHolder;
}

/** A query on the store's pool (errors already turned into payctl's). */
export type PoolQuery = <R extends object>(text: string, values?: unknown[]) => Promise<R[]>;

export class PostgresLocks implements StoreLocks {
  constructor(
    private readonly url: string,
    private readonly location: string,
    private readonly query: PoolQuery,
  ) {}

  /**
   * pg_locks shows the advisory locks every session of this database holds:
   * an incident whose run lock is among them has a live run (on any machine).
   */
  async runsHeld(incidentIds: readonly string[]): Promise<Set<string>> {
    if (!incidentIds.length) return new Set();
    const rows = await this.query<{ k1: string; k2: string }>(
      `SELECT classid::int8::text AS k1, objid::int8::text AS k2 FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    const held = new Set(rows.map((r) => `${r.k1} ${r.k2}`));
    return new Set(
      incidentIds.filter((id) => {
        const [k1, k2] = lockKeys(`run:${id}`);
        // an oid is unsigned: the int4 key as pg_locks shows it
        return held.has(`${k1 >>> 0} ${k2 >>> 0}`);
      }),
    );
  }

  async run(incidentId: string): Promise<Release> {
    let got = await this.attempt(`run:${incidentId}`, { incident: incidentId });
    // a holder names itself right after taking the lock: give it a moment to be named
    for (let i = 0; i < 10 && got.holder && got.holder.pid === undefined; i++) {
      await new Promise((r) => setTimeout(r, 20));
      got = await this.attempt(`run:${incidentId}`, { incident: incidentId });
    }
    if (got.held) return got.held.release;
    throw new OperationError(
      `incident ${incidentId} is being run by another payctl${describeHolder(got.holder ?? {})}: two runs would page, notify and switch twice`,
      'wait for that run to finish or stop it (Ctrl-C there saves the incident), then payctl incident resume; a note or status change can be added meanwhile',
    );
  }

  async routing(
    target: string,
    incidentId: string,
    waitMs: number,
  ): Promise<{ release: Release; contended?: LockHolder } | { holder: LockHolder }> {
    const name = `routing:${createHash('sha256').update(target).digest('hex').slice(0, 16)}`;
    const deadline = Date.now() + waitMs;
    let first: LockHolder | undefined;
    let delay = 10;
    for (;;) {
      const got = await this.attempt(name, { incident: incidentId });
      if (got.held) return first ? { release: got.held.release, contended: first } : { release: got.held.release };
      if (!first || first.pid === undefined) first = got.holder ?? {};
      if (Date.now() > deadline) return { holder: got.holder?.pid === undefined ? first : got.holder };
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
  }

  /** One try: the lock held on a connection of its own, or who holds it. */
  private async attempt(name: string, about: LockHolder): Promise<Attempt> {
    const holder = { pid: process.pid, host: hostname(), ...about };
    const got = await this.tryOnce(name, holder);
    if (!('client' in got)) return { holder: got.holder };
    let client = got.client;
    let released = false;
    // the connection lost while the lock is held (a server restart, a network cut): the lock went
    // with the session; it is taken back when the server answers, or, if another payctl got it
    // first, this process stops the way SIGTERM stops it (a run saves its incident): never two runs
    const watch = (c: Client) =>
      c.once('end', () => {
        if (!released) void retake();
      });
    const retake = async () => {
      say(`the connection that holds the ${what(name)} was lost; taking it back once ${this.location} answers`);
      for (let retry = 1; !released; retry++) {
        await new Promise((r) => setTimeout(r, backoffDelay(retry, RETAKE)));
        if (released) return;
        let again: Awaited<ReturnType<PostgresLocks['tryOnce']>>;
        try {
          again = await this.tryOnce(name, holder);
        } catch {
          continue; // not answering yet
        }
        if ('client' in again) {
          if (released) return void (await again.client.end().catch(() => undefined));
          client = again.client;
          watch(client);
          say(`the ${what(name)} is held again`);
          return;
        }
        say(
          `the ${what(name)} was taken by another payctl${describeHolder(again.holder)} while ${this.location} could not be reached: this process stops, so that two runs do not act twice`,
        );
        process.kill(process.pid, 'SIGTERM');
        return;
      }
    };
    watch(client);
    const [k1, k2] = lockKeys(name);
    const release: Release = async () => {
      if (released) return;
      released = true;
      // ending the session releases its advisory locks
      await client.query('SELECT pg_advisory_unlock($1, $2)', [k1, k2]).catch(() => undefined);
      await client.end().catch(() => undefined);
    };
    return { held: { client, release } };
  }

  /** The lock taken on a new connection (its holder written), or who holds it. */
  private async tryOnce(name: string, holder: LockHolder): Promise<{ client: Client } | { holder: LockHolder }> {
    const client = await connectClient(this.url, `payctl ${name.slice(0, 40)} pid ${holder.pid}@${holder.host}`, this.location);
    const [k1, k2] = lockKeys(name);
    try {
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [k1, k2]);
      if (!r.rows[0]?.ok) {
        // the row names the holder only when its session is the one holding the lock (it may not have written itself yet)
        const h = await client.query<{ holder: LockHolder }>(
          `SELECT h.holder FROM payctl_lock_holders h
            WHERE h.lock_key = $1
              AND (h.holder->>'backend')::int IN (
                SELECT l.pid FROM pg_locks l
                 WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $2::int4::oid AND l.objid = $3::int4::oid AND l.objsubid = 2)`,
          [name, k1, k2],
        );
        await client.end().catch(() => undefined);
        return { holder: h.rows[0]?.holder ?? {} };
      }
      await client.query(
        `INSERT INTO payctl_lock_holders (lock_key, holder, taken_at) VALUES ($1, jsonb_set($2::jsonb, '{backend}', to_jsonb(pg_backend_pid())), now())
         ON CONFLICT (lock_key) DO UPDATE SET holder = EXCLUDED.holder, taken_at = EXCLUDED.taken_at`,
        [name, JSON.stringify(holder)],
      );
      return { client };
    } catch (e) {
      await client.end().catch(() => undefined);
      throw storeError(e, this.location);
    }
  }
}

/** Tries to take a lost lock back: 0.25 s doubling to 5 s, with jitter. */
const RETAKE = { baseMs: 250, maxMs: 5_000, random: Math.random };

/** A lock in words: "run lock of incident X", "routing lock". */
function what(name: string): string {
  return name.startsWith('run:') ? `run lock of incident ${name.slice(4)}` : 'routing lock';
}

/** On stderr, as payctl's warnings are (the locks have no output of their own). */
function say(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

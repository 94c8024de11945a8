/**
 * The PostgreSQL connection of a database store: node-postgres (`pg`), loaded
 * on first use; a small pool for reads and appends (locks and LISTEN take
 * connections of their own); timeouts on connecting and on every query; the
 * schema's migrations (`payctl store init`); and the errors, where a database
 * that cannot be reached is a StoreUnavailableError (the spool takes over).
 *
 * TLS: the URL's sslmode (and sslrootcert, sslcert, sslkey) pass through to
 * pg's connection-string parser.
 */
import type { Client, ClientConfig, Pool, PoolClient } from 'pg';
import { InvalidInputError, OperationError, isPayctlError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './pg-schema.js';

type Pg = typeof import('pg');
let loaded: Pg | undefined;

/** The pg module (a CommonJS module whose exports are its default export). */
export async function pgModule(): Promise<Pg> {
  if (loaded) return loaded;
  const mod = (await import('pg')) as Pg & { default?: Pg };
  loaded = mod.default ?? mod;
  return loaded;
}

export const CONNECT_TIMEOUT_MS = 5_000;
export const QUERY_TIMEOUT_MS = 15_000;

/** A database that cannot be reached now (down, refused, timed out, gone mid-command). */
export class StoreUnavailableError extends OperationError {
  constructor(
    readonly location: string,
    readonly reason: string,
  ) {
    super(
      `the incident store ${location} cannot be reached: ${reason}`,
      'check the database (payctl store status); runs, failovers and failbacks go on in the local spool meanwhile, but an incident the database holds is read only once it answers',
    );
  }
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
]);

/** True for an error that says the database is not there (rather than that it refused what was asked). */
export function isUnreachable(e: unknown): boolean {
  if (e instanceof StoreUnavailableError) return true;
  if (isPayctlError(e)) return false;
  const err = e as { code?: string; message?: string };
  if (err.code && (UNREACHABLE_CODES.has(err.code) || err.code.startsWith('08'))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connect ETIMEDOUT|Client has encountered a connection error|Connection terminated unexpectedly/i.test(
    err.message ?? '',
  );
}

/** A pg error as payctl says it: unreachable, or the database's own message. */
export function storeError(e: unknown, location: string): unknown {
  if (isPayctlError(e)) return e;
  const err = e as { code?: string; message?: string };
  if (isUnreachable(e)) return new StoreUnavailableError(location, err.message || err.code || 'no answer');
  if (err.code === '42501')
    return new OperationError(
      `the incident store ${location} refused: ${err.message}`,
      'the database role lacks a grant (docs/store.md lists them)',
    );
  if (err.code === '28P01' || err.code === '28000')
    return new InvalidInputError(
      `the incident store ${location} refused the login: ${err.message}`,
      'check the user and password in the store URL',
    );
  if (err.code === '3D000')
    return new InvalidInputError(`the incident store ${location}: ${err.message}`, 'create the database, then run payctl store init');
  return e;
}

export function clientConfig(url: string, applicationName: string): ClientConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: applicationName.slice(0, 63),
  };
}

export async function createPool(url: string, applicationName: string): Promise<Pool> {
  const pg = await pgModule();
  const pool = new pg.Pool({ ...clientConfig(url, applicationName), max: 4, idleTimeoutMillis: 2_000, allowExitOnIdle: true });
  // an idle connection dropped by the server: the next query gets a new one (the error is not thrown anywhere else)
  pool.on('error', () => undefined);
  return pool;
}

/** A connection of its own (a lock, LISTEN), errors after connecting caught so the process does not crash. */
export async function connectClient(url: string, applicationName: string, location: string): Promise<Client> {
  const pg = await pgModule();
  const client = new pg.Client(clientConfig(url, applicationName));
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw storeError(e, location);
  }
  return client;
}

/** Run `body` in a transaction on a pooled connection; rolled back when it throws. */
export async function inTransaction<T>(pool: Pool, location: string, body: (c: PoolClient) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    throw storeError(e, location);
  }
  let broken = false;
  try {
    await client.query('BEGIN');
    const out = await body(client);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    broken = isUnreachable(e);
    if (!broken) await client.query('ROLLBACK').catch(() => undefined);
    throw storeError(e, location);
  } finally {
    client.release(broken);
  }
}

/** The schema version the database is at: 0 when payctl's tables are not there. */
export async function schemaVersion(q: Pick<Pool, 'query'>): Promise<number> {
  const exists = await q.query<{ t: string | null }>(`SELECT to_regclass('payctl_schema') AS t`);
  if (!exists.rows[0]?.t) return 0;
  const r = await q.query<{ v: number | null }>('SELECT max(version) AS v FROM payctl_schema');
  return r.rows[0]?.v ?? 0;
}

/** Refuse a database payctl cannot use as it is: no schema, or a newer one. */
export async function requireSchema(pool: Pool, location: string): Promise<void> {
  let v: number;
  try {
    v = await schemaVersion(pool);
  } catch (e) {
    throw storeError(e, location);
  }
  if (v === 0)
    throw new InvalidInputError(`the incident store ${location} has no payctl tables`, 'create them once with: payctl store init');
  if (v < SCHEMA_VERSION)
    throw new InvalidInputError(
      `the incident store ${location} is at schema version ${v}; this payctl needs ${SCHEMA_VERSION}`,
      'bring it up to date with: payctl store init',
    );
  if (v > SCHEMA_VERSION)
    throw new InvalidInputError(
      `the incident store ${location} is at schema version ${v}, newer than this payctl knows (${SCHEMA_VERSION})`,
      'upgrade payctl',
    );
}

/**
 * Apply the migrations the database lacks, each in its own transaction, under
 * an advisory lock (two `store init` at once apply each migration once).
 * Returns the versions applied (none: it was up to date).
 */
export async function migrate(url: string, location: string): Promise<{ from: number; applied: number[] }> {
  const client = await connectClient(url, 'payctl store init', location);
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['payctl store init']);
    await client.query(
      'CREATE TABLE IF NOT EXISTS payctl_schema (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const from = await schemaVersion(client);
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO payctl_schema (version, description) VALUES ($1, $2)', [m.version, m.description]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
      applied.push(m.version);
    }
    return { from, applied };
  } catch (e) {
    throw storeError(e, location);
  } finally {
    await client.end().catch(() => undefined);
  }
}

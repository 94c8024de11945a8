/**
 * Tests against a real PostgreSQL server: PAYCTL_TEST_PG_URL, set by
 * scripts/with-postgres.sh (npm run test:pg, and .ci/run). Without it, the
 * tests that need it fail in CI (CI set) and are skipped, saying so, on a
 * developer machine. Each test file gets a database of its own, dropped after.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { migrate } from '../../src/store/pg-client.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres.js';
import { describeNeeding } from './needs.js';

export const PG_URL = process.env.PAYCTL_TEST_PG_URL;

/** describe() for tests that need PostgreSQL. */
export function describeWithPostgres(name: string, body: () => void): void {
  describeNeeding(
    {
      present: Boolean(PG_URL),
      what: 'PostgreSQL',
      missingInCI:
        'PAYCTL_TEST_PG_URL is not set: in CI the store tests run against PostgreSQL (scripts/with-postgres.sh, started by .ci/run)',
      skipped: 'no PostgreSQL server (PAYCTL_TEST_PG_URL unset); run: npm run test:pg',
    },
    name,
    body,
  );
}

/** A new, migrated database on the test server (dropped when the file's tests end): its URL. */
export async function freshDatabase(): Promise<string> {
  const name = `payctl_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_URL!);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrate(url, name);
  afterAll(async () => {
    const a = new pg.Client({ connectionString: PG_URL });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  });
  return url;
}

/** A PostgresStore on `url`, as the tests open one (no local spool directory). */
export function openTestStore(url: string): Promise<PostgresStore> {
  return openPostgresStore({ kind: 'postgres', url, localDir: '', from: 'test' });
}

/**
 * In a describe: a fresh database and a store open on it for the describe's
 * tests (opened in beforeAll, closed in afterAll). Read url and store in the tests.
 */
export function freshStoreForSuite(): { readonly url: string; readonly store: PostgresStore } {
  let url: string | undefined;
  let store: PostgresStore | undefined;
  beforeAll(async () => {
    url = await freshDatabase();
    store = await openTestStore(url);
  });
  afterAll(async () => store?.close());
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the suite store is opened in beforeAll: read it in a test');
    return v;
  };
  return {
    get url() {
      return ready(url);
    },
    get store() {
      return ready(store);
    },
  };
}

/** Run SQL as the server's superuser (tampering, as an attacker with full access would). */
export async function asSuperuser(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Stop or start a server (pg_ctl, as the user it runs as). */
export function pgCtl(action: 'stop' | 'start', server: { bin: string; data: string; user: string }): void {
  const { bin, data, user } = server;
  const args = action === 'stop' ? ['-D', data, '-m', 'fast', '-w', 'stop'] : ['-D', data, '-l', `${data}/../server.log`, '-w', 'start'];
  const cmd = [`${bin}/pg_ctl`, ...args];
  if (process.getuid?.() === 0 && user !== 'root') execFileSync('runuser', ['-u', user, '--', ...cmd], { stdio: 'ignore' });
  else execFileSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore' });
}

export interface OwnCluster {
  url: string;
  stop(): void;
  start(): void;
  /** Stop it for good and remove it. */
  close(): Promise<void>;
}

/**
 * A PostgreSQL server of the test's own (scripts/with-postgres.sh), for a test
 * that stops and starts it without disturbing the others; migrated.
 */
export async function ownCluster(): Promise<OwnCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-own-pg-'));
  const envFile = join(dir, 'env');
  const script = fileURLToPath(new URL('../../scripts/with-postgres.sh', import.meta.url));
  const child = spawn(script, ['bash', '-c', `env > ${envFile}.tmp && mv ${envFile}.tmp ${envFile} && sleep 3600 & wait`], {
    detached: true,
    stdio: 'ignore',
  });
  const deadline = Date.now() + 60_000;
  while (!existsSync(envFile)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('scripts/with-postgres.sh did not start a server');
    await new Promise((r) => setTimeout(r, 100));
  }
  const env = Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('PAYCTL_TEST_PG_'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  ) as Record<string, string>;
  const url = env.PAYCTL_TEST_PG_URL!;
  await migrate(url, 'own cluster');
  const ctl = (action: 'stop' | 'start') =>
    pgCtl(action, { bin: env.PAYCTL_TEST_PG_BIN!, data: env.PAYCTL_TEST_PG_DATA!, user: env.PAYCTL_TEST_PG_USER! });
  return {
    url,
    stop: () => ctl('stop'),
    start: () => ctl('start'),
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM'); // the script's trap stops and removes the cluster
      await exited;
    },
  };
}

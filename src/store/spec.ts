/**
 * Which store a command uses: PAYCTL_STORE, else the config's `store:`. Either
 * is a directory (the config's relative to the config file, PAYCTL_STORE's to
 * the current directory), a postgres:// or postgresql:// URL, or env:NAME
 * holding one of those. No database code here: this module is loaded by every
 * command.
 */
import { resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { registerSecret } from '../secrets.js';

export const DEFAULT_STORE_DIR = '.payctl/incidents';

export type StoreSpec =
  | { kind: 'directory'; dir: string }
  /** `localDir`: this machine's directory for the spool and the files payctl writes beside an incident (postmortem drafts). */
  | { kind: 'postgres'; url: string; localDir: string; from: string };

export function isDatabaseUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** A `store:` value that names a directory (not a URL, not env:NAME). */
export function isDirectoryValue(value: string): boolean {
  return !isDatabaseUrl(value) && !/^env:/.test(value);
}

/**
 * The local store directory: PAYCTL_STORE when it names a directory (relative
 * to the current directory), else the config's (already resolved).
 */
export function localStoreDir(configured: string, env: NodeJS.ProcessEnv, cwd: string): string {
  const override = env.PAYCTL_STORE;
  return override && isDirectoryValue(override) ? resolve(cwd, override) : configured;
}

/**
 * The store in effect. `configStore` is the config's `store:` as written,
 * `localDir` the local store directory (localStoreDir): the store itself
 * when it is a directory.
 */
export function storeSpec(configStore: string, localDir: string, env: NodeJS.ProcessEnv): StoreSpec {
  const override = env.PAYCTL_STORE;
  const [value, from] = override ? [override, 'PAYCTL_STORE'] : [configStore, 'store: in the config'];
  let url = value;
  let named = from;
  if (value.startsWith('env:')) {
    const name = value.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new InvalidInputError(
        `${from}: "${value}" is not env:NAME`,
        'write env:PAYCTL_DATABASE_URL, a postgres:// URL, or a directory',
      );
    url = env[name] ?? '';
    named = `${name} (${from})`;
    if (!url)
      throw new InvalidInputError(
        `environment variable ${name} is not set (needed by ${from}: the incident store)`,
        `export ${name}=postgres://… before running payctl, or set it in your CI secrets`,
      );
    if (!isDatabaseUrl(url))
      throw new InvalidInputError(
        `${name} (${from}) is not a postgres:// or postgresql:// URL`,
        'set it to the database URL, e.g. postgres://payctl@db.example.com:5432/payctl?sslmode=require',
      );
  }
  if (isDatabaseUrl(url)) {
    registerDatabaseSecrets(url);
    return { kind: 'postgres', url, localDir, from: named };
  }
  return { kind: 'directory', dir: localDir };
}

/** The connection string and its password are secrets: masked wherever they would be printed or written. */
export function registerDatabaseSecrets(url: string): void {
  registerSecret(url);
  try {
    const u = new URL(url);
    if (u.password) {
      registerSecret(u.password);
      registerSecret(decodeURIComponent(u.password));
    }
    const p = u.searchParams.get('password');
    if (p) registerSecret(p);
  } catch {
    // not parsable: the whole string is registered
  }
}

/**
 * How a database store is named in messages: `PostgreSQL <db> on <host:port>`.
 * Never the URL itself, which is a secret (masked wherever it appears).
 */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
    const host = u.hostname ? `${u.hostname}${u.port ? `:${u.port}` : ''}` : u.searchParams.get('host') || 'localhost';
    return `PostgreSQL ${db} on ${host}`;
  } catch {
    return 'PostgreSQL (an unparsable URL)';
  }
}

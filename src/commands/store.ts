/**
 * payctl store init | status | push | import: the incident store itself. init creates
 * (or brings up to date) a database store's tables; status says which store
 * is in effect, its schema version, how many incidents it holds and what
 * waits in the local spool; push pushes that spool into the database; import
 * copies a directory store into it.
 */
import type { Context } from '../context.js';
import { InvalidInputError, OperationError } from '../errors.js';
import { describeDatabase, storeSpec } from '../store/spec.js';
import { SpoolingStore } from '../store/spooling.js';

export async function init(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const loaded = ctx.config();
  const spec = storeSpec(loaded.config.store, loaded.storeDir, ctx.env);
  if (spec.kind === 'directory') {
    throw new InvalidInputError(
      `the incident store is the directory ${spec.dir}, which needs no init`,
      'store init is for a PostgreSQL store: set store: to a postgres:// URL (or PAYCTL_STORE)',
    );
  }
  const { migrate } = await import('../store/pg-client.js');
  const { SCHEMA_VERSION } = await import('../store/pg-schema.js');
  const location = describeDatabase(spec.url);
  const { from, applied } = await migrate(spec.url, location);
  if (opts.json) return ctx.out.json({ store: location, from_version: from, version: SCHEMA_VERSION, applied });
  ctx.out.line(
    applied.length
      ? `${location}: schema version ${from} → ${SCHEMA_VERSION} (applied ${applied.join(', ')})`
      : `${location}: schema version ${SCHEMA_VERSION}, up to date`,
  );
}

export async function status(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const store = await ctx.store();
  let version: number | undefined;
  let spool: { incident: string; events: number; since: string }[] = [];
  let unreachable: string | undefined;
  let incidents: number | undefined;
  if (store instanceof SpoolingStore) {
    spool = store.spool.pending().map((p) => ({ incident: p.id, events: p.events, since: p.meta.since }));
    const { schemaVersion, isUnreachable } = await import('../store/pg-client.js');
    try {
      version = await schemaVersion(await store.db.db());
      incidents = (await store.ids()).length;
    } catch (e) {
      if (!isUnreachable(e)) throw e;
      unreachable = (e as Error).message;
    }
  } else {
    incidents = (await store.ids()).length;
  }
  const report = {
    backend: store.kind,
    location: store.location,
    reachable: !unreachable,
    ...(unreachable ? { error: unreachable } : {}),
    ...(version !== undefined ? { schema_version: version } : {}),
    ...(incidents !== undefined ? { incidents } : {}),
    ...(store.kind === 'postgres' ? { spool_waiting: spool } : {}),
  };
  if (opts.json) ctx.out.json(report);
  else {
    ctx.out.line(`store      ${store.kind} ${store.location}${unreachable ? ' (UNREACHABLE)' : ''}`);
    if (version !== undefined) ctx.out.line(`schema     version ${version}`);
    if (incidents !== undefined) ctx.out.line(`incidents  ${incidents}`);
  }
  if (store.kind === 'postgres' && !opts.json) {
    ctx.out.line(
      `spool      ${spool.length ? spool.map((s) => `${s.incident} (${s.events} events since ${s.since})`).join(', ') : 'empty'}`,
    );
  }
  if (unreachable)
    throw new OperationError(unreachable, 'payctl keeps working on the local spool meanwhile; it is pushed when the database answers');
}

/** Push what waits in the local spool into the database (also done by any command that opens the store). */
export async function push(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const store = await ctx.store();
  if (!(store instanceof SpoolingStore))
    throw new InvalidInputError(
      `the incident store is the directory ${store.location}, which has no spool`,
      'store push is for a PostgreSQL store',
    );
  // opening the store already pushed what it could: that is this command's work too
  const { waiting } = await store.push();
  const pushed = store.pushedSoFar;
  if (opts.json) return ctx.out.json({ store: store.location, pushed, waiting, remaining: store.spool.pending().length });
  if (pushed.length)
    ctx.out.line(`pushed ${pushed.length} incident${pushed.length === 1 ? '' : 's'} from the spool into ${store.location}`);
  else if (!waiting.length) ctx.out.line('the spool is empty: nothing to push');
  for (const w of waiting) ctx.out.line(`incident ${w}: another payctl is still writing to its spool; pushed when it ends`);
}

/** Copy a directory store's incidents (default: the local store directory) into the database store. */
export async function importDir(ctx: Context, dir: string | undefined, opts: { json?: boolean }): Promise<void> {
  const store = await ctx.store();
  if (!(store instanceof SpoolingStore))
    throw new InvalidInputError(
      `the incident store is the directory ${store.location}`,
      'store import copies a directory store into a PostgreSQL store: set store: or PAYCTL_STORE to its URL',
    );
  const { resolve } = await import('node:path');
  const { existsSync } = await import('node:fs');
  const { DirectoryStore } = await import('../store/directory.js');
  const { importIncident } = await import('../store/import.js');
  const from = new DirectoryStore(dir ? resolve(ctx.cwd, dir) : ctx.config().storeDir);
  if (!existsSync(from.dir))
    throw new InvalidInputError(`${from.dir} does not exist`, 'name the directory store to import: payctl store import <dir>');
  const results = [];
  for (const id of await from.ids()) {
    const r = await importIncident(store.db, from, id);
    results.push(r);
    if (!opts.json) ctx.out.line(r.outcome === 'refused' ? `${id}: refused: ${r.reason}` : `${id}: ${r.outcome} (${r.events} events)`);
  }
  const refused = results.filter((r) => r.outcome === 'refused').length;
  if (opts.json) ctx.out.json({ from: from.dir, into: store.location, incidents: results });
  else
    ctx.out.line(`${results.length - refused} of ${results.length} incidents in ${store.location}${refused ? `; ${refused} refused` : ''}`);
  if (refused)
    throw new OperationError(
      `${refused} incident${refused === 1 ? '' : 's'} not imported`,
      `a broken chain is kept out of the shared store; check one with: PAYCTL_STORE=${from.dir} payctl incident verify <id>`,
    );
}

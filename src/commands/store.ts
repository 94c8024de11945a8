/**
 * payctl store init | status: the incident store itself. init creates (or
 * brings up to date) a database store's tables; status says which store is in
 * effect, its schema version and how many incidents it holds.
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { storeSpec } from '../store/spec.js';

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
  const store = await ctx.store();
  const { from, applied } = await migrate(spec.url, store.location);
  if (opts.json) return ctx.out.json({ store: store.location, from_version: from, version: SCHEMA_VERSION, applied });
  ctx.out.line(
    applied.length
      ? `${store.location}: schema version ${from} → ${SCHEMA_VERSION} (applied ${applied.join(', ')})`
      : `${store.location}: schema version ${SCHEMA_VERSION}, up to date`,
  );
}

export async function status(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const store = await ctx.store();
  let version: number | undefined;
  if (store.kind === 'postgres') {
    const { schemaVersion } = await import('../store/pg-client.js');
    const { PostgresStore } = await import('../store/postgres.js');
    if (store instanceof PostgresStore) version = await schemaVersion(await store.db());
  }
  const incidents = (await store.ids()).length;
  const report = {
    backend: store.kind,
    location: store.location,
    ...(version !== undefined ? { schema_version: version } : {}),
    incidents,
  };
  if (opts.json) return ctx.out.json(report);
  ctx.out.line(`store      ${store.kind} ${store.location}`);
  if (version !== undefined) ctx.out.line(`schema     version ${version}`);
  ctx.out.line(`incidents  ${incidents}`);
}

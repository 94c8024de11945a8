/**
 * Opening the store a command uses (spec.ts says which): the directory store,
 * or the PostgreSQL store (with its local spool: spooling.ts), whose modules
 * (and the pg client) are loaded only when a database is configured. A
 * database store's spool is pushed when it opens and when the command ends.
 */
import type { LoadedConfig } from '../config/find.js';
import type { Output } from '../output.js';
import { DirectoryStore } from './directory.js';
import { storeSpec } from './spec.js';
import { beforeExit } from './spool-state.js';
import type { Store } from './store.js';

export async function openStore(loaded: LoadedConfig, env: NodeJS.ProcessEnv, out: Output): Promise<Store> {
  const spec = storeSpec(loaded.config.store, loaded.storeDir, env);
  if (spec.kind === 'directory') return new DirectoryStore(spec.dir);
  const { openPostgresStore } = await import('./postgres.js');
  const { SpoolingStore } = await import('./spooling.js');
  const store = new SpoolingStore(await openPostgresStore(spec), spec.localDir, out);
  beforeExit(() => store.close());
  // a spool left by an earlier command goes in first, when the database answers
  if (store.spool.pending().length) await store.push({ quiet: true }).catch(() => undefined);
  return store;
}

/**
 * Opening the store a command uses (spec.ts says which): the directory store,
 * or the PostgreSQL store, whose module (and the pg client) is loaded only
 * when a database is configured.
 */
import type { LoadedConfig } from '../config/find.js';
import type { Output } from '../output.js';
import { DirectoryStore } from './directory.js';
import { storeSpec } from './spec.js';
import type { Store } from './store.js';

export async function openStore(loaded: LoadedConfig, env: NodeJS.ProcessEnv, out: Output): Promise<Store> {
  const spec = storeSpec(loaded.config.store, loaded.storeDir, env);
  if (spec.kind === 'directory') return new DirectoryStore(spec.dir);
  void out;
  const { openPostgresStore } = await import('./postgres.js');
  return openPostgresStore(spec);
}

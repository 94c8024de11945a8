/**
 * createContext: the context (see context-core.ts) with the config loaded,
 * on first use, by config/load.ts. Tests and drills build theirs here.
 */
import { loadConfig } from './config/load.js';
import { buildContext, type Context, type ContextOptions } from './context-core.js';

export { buildContext, isCI, type Context, type ContextOptions } from './context-core.js';

export function createContext(o: ContextOptions = {}): Context {
  return buildContext(o, loadConfig);
}

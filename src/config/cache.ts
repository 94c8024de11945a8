/**
 * The parsed config, cached so that a command does not load the YAML parser
 * and zod (~800 KB of code, a third of a failover's start-up) while
 * payctl.config.yaml is unchanged.
 *
 * The cache is one file, <config dir>/.payctl/cache/config.json (next to the
 * default incident store; as trusted as the config beside it), holding the
 * LoadedConfig and a key: the sha256 of the config's path and exact text, the
 * payctl version and the build (the mtime of this compiled module, rewritten
 * by every build). Any change to the file, or a new build, is a miss; a miss
 * parses and validates as usual, then rewrites the cache. Only a config that
 * loaded without problems and survives a JSON round trip unchanged is cached.
 * Failing to read or write the cache is never an error: it just costs a parse.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { packageVersion } from '../package-root.js';
import type { ConfigLoader } from '../context.js';
import { findConfigFile, type LoadedConfig } from './find.js';

const FORMAT = 1;

export function configCachePath(configFile: string): string {
  return join(dirname(configFile), '.payctl', 'cache', 'config.json');
}

function buildStamp(): string {
  try {
    return String(statSync(fileURLToPath(import.meta.url)).mtimeMs);
  } catch {
    return 'unknown';
  }
}

function cacheKey(file: string, text: string): string {
  return createHash('sha256').update(`${FORMAT}\0${packageVersion()}\0${buildStamp()}\0${file}\0${text}`).digest('hex');
}

/** The cached config for this cwd/--config/env, if the cache matches the file as it is now. */
export function readCachedConfig(cwd: string, explicit: string | undefined, env: NodeJS.ProcessEnv): LoadedConfig | undefined {
  try {
    const file = findConfigFile(cwd, explicit, env);
    if (!file) return undefined;
    const key = cacheKey(file, readFileSync(file, 'utf8'));
    const cached = JSON.parse(readFileSync(configCachePath(file), 'utf8')) as { key?: string; loaded?: LoadedConfig };
    return cached.key === key && cached.loaded?.file === file ? cached.loaded : undefined;
  } catch {
    return undefined; // no config, no cache, unreadable: the loader decides (and reports problems)
  }
}

/** Remember a config that was just loaded from `text`. */
export function writeCachedConfig(loaded: LoadedConfig, text: string): void {
  if (!loaded.file) return;
  try {
    const body = JSON.stringify({ key: cacheKey(loaded.file, text), loaded });
    if (!isDeepStrictEqual((JSON.parse(body) as { loaded: unknown }).loaded, loaded)) return; // not plain JSON (e.g. .inf): never cache
    const target = configCachePath(loaded.file);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, body);
    renameSync(tmp, target); // readers see the old file or the new one, never half of one
  } catch {
    // a read-only directory, a full disk: the next run parses again
  }
}

/**
 * The loader the CLI gives its context: the cached config when it matches,
 * else the real loader (imported only then), which refreshes the cache.
 * Nothing is read until the command asks for the config, except the cache check.
 */
export async function cachedConfigLoader(cwd: string, explicit: string | undefined, env: NodeJS.ProcessEnv): Promise<ConfigLoader> {
  const hit = readCachedConfig(cwd, explicit, env);
  if (hit) return () => hit;
  const { loadConfigWithText } = await import('./load.js');
  return (c, e, en) => {
    const { loaded, text } = loadConfigWithText(c, e, en);
    if (text !== undefined) writeCachedConfig(loaded, text);
    return loaded;
  };
}

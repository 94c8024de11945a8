/**
 * The parsed config, cached so that a command does not load the YAML parser
 * and zod while payctl.config.yaml is unchanged (bench/playbook-list.bench.mjs:
 * `playbook list` takes about 3x `node -e 0` without it, 1.6x with it).
 *
 * The cache lives in payctl's own cache directory (src/cache-dir.ts), never
 * beside the config: a read-only command writes nothing into a project. One
 * file per key, <cache>/config/<key>.json, the key being the sha256 of the
 * config's path and exact text, the payctl version and the size of the
 * compiled code (not its mtime: two installs of one build share entries, and
 * two different builds have their own instead of evicting each other's). Any
 * change to the file is a miss; a miss parses and validates as usual, then
 * writes its entry. Only a config that loaded without problems and survives a
 * JSON round trip unchanged is cached. Failing to read or write the cache is
 * never an error: it just costs a parse.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { packageVersion } from '../package-root.js';
import { cacheDir } from '../cache-dir.js';
import type { ConfigLoader } from '../context.js';
import { findConfigFile, type LoadedConfig } from './find.js';

const FORMAT = 2;

function buildStamp(): string {
  try {
    return String(statSync(fileURLToPath(import.meta.url)).size);
  } catch {
    return 'unknown';
  }
}

/** Where the parsed form of this config text is cached. */
export function configCachePath(file: string, text: string, env: NodeJS.ProcessEnv): string {
  const key = createHash('sha256').update(`${FORMAT}\0${packageVersion()}\0${buildStamp()}\0${file}\0${text}`).digest('hex');
  return join(cacheDir(env), 'config', `${key}.json`);
}

/** The cached config for this cwd/--config/env, if the cache matches the file as it is now. */
export function readCachedConfig(cwd: string, explicit: string | undefined, env: NodeJS.ProcessEnv): LoadedConfig | undefined {
  try {
    const file = findConfigFile(cwd, explicit, env);
    if (!file) return undefined;
    const loaded = JSON.parse(readFileSync(configCachePath(file, readFileSync(file, 'utf8'), env), 'utf8')) as LoadedConfig;
    return loaded.file === file ? loaded : undefined;
  } catch {
    return undefined; // no config, no cache, unreadable: the loader decides (and reports problems)
  }
}

/** Remember a config that was just loaded from `text`. */
export function writeCachedConfig(loaded: LoadedConfig, text: string, env: NodeJS.ProcessEnv): void {
  if (!loaded.file) return;
  try {
    const body = JSON.stringify(loaded);
    if (!isDeepStrictEqual(JSON.parse(body), loaded)) return; // not plain JSON (e.g. .inf): never cache
    const target = configCachePath(loaded.file, text, env);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, body);
    renameSync(tmp, target); // readers see a whole entry or none
  } catch {
    // a read-only home, a full disk: the next run parses again
  }
}

/**
 * The loader the CLI gives its context: the cached config when it matches,
 * else the real loader (imported only then), which writes the cache.
 * Nothing is read until the command asks for the config, except the cache check.
 */
export async function cachedConfigLoader(cwd: string, explicit: string | undefined, env: NodeJS.ProcessEnv): Promise<ConfigLoader> {
  const hit = readCachedConfig(cwd, explicit, env);
  if (hit) return () => hit;
  const { loadConfigWithText } = await import('./load.js');
  return (c, e, en) => {
    const { loaded, text } = loadConfigWithText(c, e, en);
    if (text !== undefined) writeCachedConfig(loaded, text, env);
    return loaded;
  };
}

/**
 * Where payctl.config.yaml is: --config, then PAYCTL_CONFIG, then the first
 * payctl.config.yaml from the current directory upward. No YAML or zod here,
 * so the CLI can find (and look up the cached) config cheaply (see cache.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';
import type { Config } from './schema.js';

export const CONFIG_FILE = 'payctl.config.yaml';

export interface LoadedConfig {
  /** The config file, or undefined when running on defaults. */
  file?: string;
  /** The directory relative paths are resolved against. */
  dir: string;
  config: Config;
  storeDir: string;
  playbooksDir: string;
  templatesDir: string;
}

export function findConfigFile(cwd: string, explicit?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = explicit ?? env.PAYCTL_CONFIG;
  if (given) {
    const file = resolve(cwd, given);
    const how = explicit ? '--config' : 'PAYCTL_CONFIG';
    if (!existsSync(file)) throw new InvalidInputError(`config file not found: ${file}`, `check the ${how} path`);
    if (statSync(file).isDirectory()) {
      const inside = join(file, CONFIG_FILE);
      throw new InvalidInputError(
        `${how} names a directory, not a config file: ${file}`,
        existsSync(inside)
          ? `name the file itself: ${inside}`
          : `name the config file itself (payctl init writes ${CONFIG_FILE} in the current directory)`,
      );
    }
    return file;
  }
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

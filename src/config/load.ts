/**
 * Loading payctl.config.yaml (found by find.ts): YAML with positions → schema
 * check → cross checks. Without a config file, payctl runs with defaults
 * rooted at the current directory.
 */
import { dirname, resolve } from 'node:path';
import { SourceError } from '../errors.js';
import { locate, readYamlSource } from '../source/yaml-file.js';
import { knownKeysOf, zodProblems } from '../source/zod-problems.js';
import { findConfigFile, type LoadedConfig } from './find.js';
import { Config } from './schema.js';
import { DEFAULT_STORE_DIR, isDirectoryValue } from '../store/spec.js';

export { CONFIG_FILE, findConfigFile, type LoadedConfig } from './find.js';

export function loadConfig(cwd: string, explicit?: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  return loadConfigWithText(cwd, explicit, env).loaded;
}

/** loadConfig, plus the exact text that was parsed (undefined without a file): what cache.ts keys on. */
export function loadConfigWithText(
  cwd: string,
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
): { loaded: LoadedConfig; text?: string } {
  const file = findConfigFile(cwd, explicit, env);
  if (!file) return { loaded: withPaths(Config.parse({}), resolve(cwd), undefined) };
  const src = readYamlSource(file);
  if (src.problems.length) throw new SourceError(src.problems, 'fix the config file, or run payctl init for a commented example');
  const parsed = Config.safeParse(src.data ?? {});
  if (!parsed.success) {
    const knownKeys = (path: readonly (string | number)[]) => knownKeysOf(Config, path, src.data);
    throw new SourceError(zodProblems(src, parsed.error, { knownKeys }), 'every key is described in docs/config.md');
  }
  const problems = crossCheck(parsed.data).map((p) => ({ file, ...locate(src, p.path), message: p.message }));
  if (problems.length) throw new SourceError(problems, 'every key is described in docs/config.md');
  return { loaded: withPaths(parsed.data, dirname(file), file), text: src.text };
}

/** References inside the config that must name something declared. */
function crossCheck(c: Config): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const providers = Object.keys(c.providers);
  const channels = Object.keys(c.channels);
  if (c.routing) {
    if (providers.length && !providers.includes(c.routing.primary)) {
      out.push({
        path: ['routing', 'primary'],
        message: `routing.primary: unknown provider "${c.routing.primary}" (declared: ${providers.join(', ')})`,
      });
    }
    c.routing.backups.forEach((b, i) => {
      if (providers.length && !providers.includes(b))
        out.push({ path: ['routing', 'backups', i], message: `routing.backups: unknown provider "${b}"` });
    });
  }
  for (const [name, p] of Object.entries(c.providers)) {
    for (const key of ['ticket_channel', 'pagerduty_channel'] as const) {
      const ch = p.escalation?.[key];
      if (ch && !channels.includes(ch)) {
        out.push({ path: ['providers', name, 'escalation', key], message: `providers.${name}.escalation.${key}: unknown channel "${ch}"` });
      }
    }
  }
  return out;
}

function withPaths(config: Config, dir: string, file: string | undefined): LoadedConfig {
  return {
    file,
    dir,
    config,
    // a database store keeps this machine's files (the spool, postmortem drafts) in the default directory
    storeDir: resolve(dir, isDirectoryValue(config.store) ? config.store : DEFAULT_STORE_DIR),
    playbooksDir: resolve(dir, config.playbooks),
    templatesDir: resolve(dir, config.templates),
  };
}

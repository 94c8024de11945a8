/**
 * The parsed-config cache (src/config/cache.ts): the CLI reuses it while the
 * config file is unchanged, any edit is a miss, a broken config is never
 * cached and still reported, and an unusable cache is ignored. It lives in
 * payctl's cache directory ($XDG_CACHE_HOME/payctl here), never in the project.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configCachePath, readCachedConfig, writeCachedConfig } from '../../src/config/cache.js';
import { loadConfig } from '../../src/config/load.js';
import { REPO, runCli } from '../helpers/run-cli.js';

function project(): { dir: string; config: string; cache: string; env: NodeJS.ProcessEnv } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'payctl-config-cache-')));
  for (const pb of ['pb1', 'pb2']) mkdirSync(join(dir, pb));
  cpSync(join(REPO, 'playbooks', 'processor-outage.yaml'), join(dir, 'pb1', 'processor-outage.yaml'));
  cpSync(join(REPO, 'playbooks', 'datacenter-outage.yaml'), join(dir, 'pb2', 'datacenter-outage.yaml'));
  const config = join(dir, 'payctl.config.yaml');
  writeFileSync(config, 'playbooks: pb1\n');
  const env = { XDG_CACHE_HOME: join(dir, 'home-cache') };
  return { dir, config, cache: configCachePath(config, 'playbooks: pb1\n', env), env };
}

/** The entries the CLI wrote (its key includes its own build, so they are found, not computed). */
function cliEntries(p: { dir: string }): string[] {
  const d = join(p.dir, 'home-cache', 'payctl', 'config');
  return existsSync(d)
    ? readdirSync(d)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(d, f))
    : [];
}

function listedIds(p: { dir: string; env: NodeJS.ProcessEnv }): string[] {
  const r = runCli(['playbook', 'list', '--json'], { cwd: p.dir, env: p.env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { playbooks: { id: string }[] }).playbooks.map((p) => p.id);
}

describe('config cache, through the CLI', () => {
  it('is written on the first run and used while the file is unchanged; any edit is a miss', () => {
    const p = project();
    expect(listedIds(p)).toEqual(['processor-outage']);
    expect(cliEntries(p)).toHaveLength(1);
    const entry = cliEntries(p)[0]!;
    // a read-only command writes nothing into the project
    expect(existsSync(join(p.dir, '.payctl'))).toBe(false);

    // point the cached copy elsewhere (same key): the CLI now follows the cache, not the YAML
    const cached = JSON.parse(readFileSync(entry, 'utf8')) as { playbooksDir: string };
    cached.playbooksDir = join(p.dir, 'pb2');
    writeFileSync(entry, JSON.stringify(cached));
    expect(listedIds(p)).toEqual(['datacenter-outage']);

    // a comment is enough to make it a miss: parsed again, its own entry written
    appendFileSync(p.config, '# edited\n');
    expect(listedIds(p)).toEqual(['processor-outage']);
    const edited = cliEntries(p).filter((f) => f !== entry);
    expect(edited).toHaveLength(1);
    expect((JSON.parse(readFileSync(edited[0]!, 'utf8')) as typeof cached).playbooksDir).toBe(join(p.dir, 'pb1'));
  });

  it('never hides a broken config: reported with its position, exit 2, and not cached', () => {
    const p = project();
    expect(listedIds(p)).toEqual(['processor-outage']);
    const before = cliEntries(p);
    writeFileSync(p.config, 'playbooks: pb1\nplaybookz: pb2\n');
    const r = runCli(['playbook', 'list'], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('payctl.config.yaml:2:1');
    expect(cliEntries(p)).toEqual(before);
  });

  it('ignores a cache file that is not JSON', () => {
    const p = project();
    expect(listedIds(p)).toEqual(['processor-outage']);
    const entry = cliEntries(p)[0]!;
    writeFileSync(entry, '{"file": "trunc');
    expect(listedIds(p)).toEqual(['processor-outage']);
    expect(JSON.parse(readFileSync(entry, 'utf8'))).toHaveProperty('playbooksDir', join(p.dir, 'pb1'));
  });
});

describe('config cache, directly', () => {
  it('round-trips a loaded config and refuses a stale key', () => {
    const p = project();
    const loaded = loadConfig(p.dir, undefined, {});
    // another text than the file holds now: its own entry, never read for this file
    writeCachedConfig(loaded, 'playbooks: somewhere-else\n', p.env);
    expect(readCachedConfig(p.dir, undefined, p.env)).toBeUndefined();
    writeCachedConfig(loaded, readFileSync(p.config, 'utf8'), p.env);
    expect(readCachedConfig(p.dir, undefined, p.env)).toEqual(loaded);
  });

  it('does not cache what JSON cannot hold exactly', () => {
    const p = project();
    const loaded = loadConfig(p.dir, undefined, {});
    const odd = {
      ...loaded,
      config: { ...loaded.config, http: { ...loaded.config.http, extra: Number.POSITIVE_INFINITY } },
    } as typeof loaded;
    writeCachedConfig(odd, readFileSync(p.config, 'utf8'), p.env);
    expect(existsSync(p.cache)).toBe(false);
  });

  it('has no cache without a config file', () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'payctl-config-cache-none-')));
    expect(readCachedConfig(dir, undefined, { XDG_CACHE_HOME: join(dir, 'c') })).toBeUndefined();
    expect(existsSync(join(dir, '.payctl'))).toBe(false);
  });
});

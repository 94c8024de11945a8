/**
 * The parsed-config cache (src/config/cache.ts): the CLI reuses it while the
 * config file is unchanged, any edit is a miss, a broken config is never
 * cached and still reported, and an unusable cache is ignored.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configCachePath, readCachedConfig, writeCachedConfig } from '../../src/config/cache.js';
import { loadConfig } from '../../src/config/load.js';
import { REPO, runCli } from '../helpers/run-cli.js';

function project(): { dir: string; config: string; cache: string } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'payctl-config-cache-')));
  for (const pb of ['pb1', 'pb2']) mkdirSync(join(dir, pb));
  cpSync(join(REPO, 'playbooks', 'processor-outage.yaml'), join(dir, 'pb1', 'processor-outage.yaml'));
  cpSync(join(REPO, 'playbooks', 'datacenter-outage.yaml'), join(dir, 'pb2', 'datacenter-outage.yaml'));
  const config = join(dir, 'payctl.config.yaml');
  writeFileSync(config, 'playbooks: pb1\n');
  return { dir, config, cache: configCachePath(config) };
}

function listedIds(dir: string): string[] {
  const r = runCli(['playbook', 'list', '--json'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { playbooks: { id: string }[] }).playbooks.map((p) => p.id);
}

describe('config cache, through the CLI', () => {
  it('is written on the first run and used while the file is unchanged; any edit is a miss', () => {
    const p = project();
    expect(listedIds(p.dir)).toEqual(['processor-outage']);
    expect(existsSync(p.cache)).toBe(true);
    expect(p.cache).toBe(join(p.dir, '.payctl', 'cache', 'config.json'));

    // point the cached copy elsewhere (same key): the CLI now follows the cache, not the YAML
    const cached = JSON.parse(readFileSync(p.cache, 'utf8')) as { key: string; loaded: { playbooksDir: string } };
    cached.loaded.playbooksDir = join(p.dir, 'pb2');
    writeFileSync(p.cache, JSON.stringify(cached));
    expect(listedIds(p.dir)).toEqual(['datacenter-outage']);

    // a comment is enough to make it a miss: parsed again, cache rewritten
    appendFileSync(p.config, '# edited\n');
    expect(listedIds(p.dir)).toEqual(['processor-outage']);
    expect((JSON.parse(readFileSync(p.cache, 'utf8')) as typeof cached).loaded.playbooksDir).toBe(join(p.dir, 'pb1'));
  });

  it('never hides a broken config: reported with its position, exit 2, and not cached', () => {
    const p = project();
    expect(listedIds(p.dir)).toEqual(['processor-outage']);
    const before = readFileSync(p.cache, 'utf8');
    writeFileSync(p.config, 'playbooks: pb1\nplaybookz: pb2\n');
    const r = runCli(['playbook', 'list'], { cwd: p.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('payctl.config.yaml:2:1');
    expect(readFileSync(p.cache, 'utf8')).toBe(before);
  });

  it('ignores a cache file that is not JSON', () => {
    const p = project();
    mkdirSync(join(p.dir, '.payctl', 'cache'), { recursive: true });
    writeFileSync(p.cache, '{"key": "trunc');
    expect(listedIds(p.dir)).toEqual(['processor-outage']);
    expect(JSON.parse(readFileSync(p.cache, 'utf8'))).toHaveProperty('loaded.playbooksDir', join(p.dir, 'pb1'));
  });
});

describe('config cache, directly', () => {
  it('round-trips a loaded config and refuses a stale key', () => {
    const p = project();
    const loaded = loadConfig(p.dir, undefined, {});
    writeCachedConfig(loaded, readFileSync(p.config, 'utf8'));
    expect(readCachedConfig(p.dir, undefined, {})).toEqual(loaded);
    // the same cache entry, but for other text than the file holds now
    writeCachedConfig(loaded, 'playbooks: somewhere-else\n');
    expect(readCachedConfig(p.dir, undefined, {})).toBeUndefined();
  });

  it('does not cache what JSON cannot hold exactly', () => {
    const p = project();
    const loaded = loadConfig(p.dir, undefined, {});
    const odd = { ...loaded, config: { ...loaded.config, http: { ...loaded.config.http, extra: Number.POSITIVE_INFINITY } } } as typeof loaded;
    writeCachedConfig(odd, readFileSync(p.config, 'utf8'));
    expect(existsSync(p.cache)).toBe(false);
  });

  it('has no cache without a config file', () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'payctl-config-cache-none-')));
    expect(readCachedConfig(dir, undefined, {})).toBeUndefined();
    expect(existsSync(join(dir, '.payctl'))).toBe(false);
  });
});

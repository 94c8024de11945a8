/** Config discovery (--config, PAYCTL_CONFIG, upward search), env: secrets, located config problems, the init example. */
import { mkdtempSync, mkdirSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findConfigFile, loadConfig } from '../../src/config/load.js';
import { Config } from '../../src/config/schema.js';
import { EXAMPLE_CONFIG } from '../../src/config/example.js';
import { InvalidInputError, SourceError } from '../../src/errors.js';
import { clearSecretsForTest, redact, resolveSecret } from '../../src/secrets.js';
import { parse } from 'yaml';

function tempDir(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'payctl-config-')));
}

afterEach(() => clearSecretsForTest());

describe('config discovery', () => {
  it('finds payctl.config.yaml in a parent directory', () => {
    const root = tempDir();
    writeFileSync(join(root, 'payctl.config.yaml'), 'store: incidents\n');
    const deep = join(root, 'a', 'b', 'c');
    mkdirSync(deep, { recursive: true });
    expect(findConfigFile(deep, undefined, {})).toBe(join(root, 'payctl.config.yaml'));
    const loaded = loadConfig(deep, undefined, {});
    expect(loaded.file).toBe(join(root, 'payctl.config.yaml'));
    // relative paths resolve against the config file's directory, not the cwd
    expect(loaded.storeDir).toBe(join(root, 'incidents'));
    expect(loaded.playbooksDir).toBe(join(root, 'playbooks'));
  });

  it('prefers the nearest file', () => {
    const root = tempDir();
    writeFileSync(join(root, 'payctl.config.yaml'), 'store: outer\n');
    mkdirSync(join(root, 'inner'));
    writeFileSync(join(root, 'inner', 'payctl.config.yaml'), 'store: inner\n');
    expect(loadConfig(join(root, 'inner'), undefined, {}).config.store).toBe('inner');
  });

  it('--config wins over PAYCTL_CONFIG, which wins over the upward search', () => {
    const root = tempDir();
    writeFileSync(join(root, 'payctl.config.yaml'), 'store: found\n');
    writeFileSync(join(root, 'env.yaml'), 'store: from-env\n');
    writeFileSync(join(root, 'flag.yaml'), 'store: from-flag\n');
    const env = { PAYCTL_CONFIG: 'env.yaml' };
    expect(loadConfig(root, undefined, {}).config.store).toBe('found');
    expect(loadConfig(root, undefined, env).config.store).toBe('from-env');
    expect(loadConfig(root, 'flag.yaml', env).config.store).toBe('from-flag');
  });

  it('a missing --config or PAYCTL_CONFIG file is an error naming the path', () => {
    const root = tempDir();
    expect(() => findConfigFile(root, 'nope.yaml', {})).toThrow(InvalidInputError);
    expect(() => findConfigFile(root, 'nope.yaml', {})).toThrow(/config file not found: .*nope\.yaml/);
    expect(() => findConfigFile(root, undefined, { PAYCTL_CONFIG: 'gone.yaml' })).toThrow(/gone\.yaml/);
  });

  it('runs on defaults rooted at the cwd when there is no config', () => {
    const root = tempDir();
    const loaded = loadConfig(root, undefined, {});
    expect(loaded.file).toBeUndefined();
    expect(loaded.playbooksDir).toBe(join(root, 'playbooks'));
    expect(loaded.storeDir).toBe(join(root, '.payctl', 'incidents'));
    expect(loaded.config.thresholds.success_rate).toBe(0.95);
  });

  it('reports config problems with file, line and column', () => {
    const root = tempDir();
    writeFileSync(
      join(root, 'payctl.config.yaml'),
      [
        'providers:',
        '  stripe:',
        '    kind: stripe',
        '    statuspage: https://status.stripe.com',
        '    enabeld: true',
        'channels:',
        '  slack:',
        '    type: slack',
        '    webhook_url: https://hooks.slack.com/services/T/B/secret',
        '',
      ].join('\n'),
    );
    let err: unknown;
    try {
      loadConfig(root, undefined, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceError);
    const problems = (err as SourceError).problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
    expect(problems).toContainEqual(expect.stringMatching(/^5:5: .*unknown key "enabeld" \(did you mean "enabled"\?\)/));
    expect(problems).toContainEqual(expect.stringMatching(/^9:18: .*env:NAME/));
  });
});

describe('env: secrets', () => {
  it('reads env:NAME from the environment and redacts the value afterwards', () => {
    const value = resolveSecret('env:PAYCTL_TEST_KEY', 'channels.slack.webhook_url', { PAYCTL_TEST_KEY: 'sk_live_abcdef123456' });
    expect(value).toBe('sk_live_abcdef123456');
    expect(redact('key=sk_live_abcdef123456')).toBe('key=***');
  });

  it('a missing variable is an error naming the variable and the key that needs it', () => {
    expect(() => resolveSecret('env:MISSING_THING', 'channels.statuspage.api_key', {})).toThrow(InvalidInputError);
    expect(() => resolveSecret('env:MISSING_THING', 'channels.statuspage.api_key', {})).toThrow(
      'environment variable MISSING_THING is not set (needed by channels.statuspage.api_key)',
    );
  });

  it('an inline secret in the config is refused', () => {
    const r = Config.safeParse({ channels: { pagerduty: { type: 'pagerduty', routing_key: 'R0123456789abcdef0123456789abcdef' } } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('env:NAME');
  });
});

describe('the commented example config (payctl init)', () => {
  it('parses with the schema and uses the standard provider and channel names', () => {
    const parsed = Config.parse(parse(EXAMPLE_CONFIG));
    expect(Object.keys(parsed.providers)).toEqual(['stripe', 'adyen', 'braintree']);
    expect(Object.keys(parsed.channels).sort()).toEqual([
      'banner',
      'email',
      'pagerduty',
      'processor-support',
      'slack',
      'social',
      'statuspage',
    ]);
    expect(parsed.routing?.primary).toBe('stripe');
  });

  it('passes the cross checks of loadConfig', () => {
    const root = tempDir();
    writeFileSync(join(root, 'payctl.config.yaml'), EXAMPLE_CONFIG);
    expect(loadConfig(root, undefined, {}).file).toBe(join(root, 'payctl.config.yaml'));
  });
});

/**
 * Shares through the http and shell routing adapters (routing.adapter.split),
 * switched with switchTraffic: the templated split request or argument list
 * is sent, the shares are read back to verify, and a read-back that disagrees
 * is rolled back to the shares read before. A real HTTP server on 127.0.0.1
 * and real commands run by execa.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Config } from '../../src/config/schema.js';
import { createHttpClient } from '../../src/providers/http.js';
import { switchTraffic } from '../../src/providers/switch.js';
import { sendJson, startServer, tempDir, type TestServer } from './helpers.js';

let srv: TestServer;
let active: string;
let shares: Record<string, number> | null;
let ignoreWrites = false;

beforeAll(async () => {
  srv = await startServer();
  srv.route('GET /flags/payments', (_r, res) => sendJson(res, 200, { active, shares }));
  srv.route('PUT /flags/payments/active', (r, res) => {
    if (!ignoreWrites) [active, shares] = [(r.json as { provider: string }).provider, null];
    sendJson(res, 200, { ok: true });
  });
  srv.route('PUT /flags/payments/shares', (r, res) => {
    if (!ignoreWrites) shares = (r.json as { weights: Record<string, number> }).weights;
    sendJson(res, 200, { ok: true });
  });
});
afterAll(() => srv.close());
beforeEach(() => {
  active = 'stripe';
  shares = null;
  ignoreWrites = false;
  srv.requests.length = 0;
});

const providers = { stripe: { kind: 'stripe' }, adyen: { kind: 'adyen' } };
const httpConfig = () =>
  Config.parse({
    providers,
    routing: {
      primary: 'stripe',
      backups: ['adyen'],
      adapter: {
        type: 'http',
        write: { method: 'PUT', url: `${srv.url}/flags/payments/active`, body: { provider: '{{ to }}' } },
        read: { url: `${srv.url}/flags/payments`, path: 'active' },
        split: {
          method: 'PUT',
          url: `${srv.url}/flags/payments/shares`,
          body: { weights: '{{ shares }}', percent: '{{ share }}', note: '{{ share }}% to {{ to }}, rest on {{ from }}' },
          read_path: 'shares',
        },
      },
    },
  });
const deps = (config: Config) => ({ config, http: createHttpClient({ timeoutMs: 2000, retries: 0 }), env: {}, log: () => {} });

describe('http adapter with routing.adapter.split', () => {
  it('sends the templated split request with the idempotency key and verifies the shares read back', async () => {
    const out = await switchTraffic(deps(httpConfig()), { to: 'adyen', share: 90, key: 'INC-1-switch', dryRun: false });
    expect(out).toMatchObject({ ok: true, result: { verified: true, share: 90, split_before: [{ provider: 'stripe', percent: 100 }] } });
    const put = srv.requests.find((r) => r.method === 'PUT')!;
    expect(put.path).toBe('/flags/payments/shares');
    expect(put.headers['idempotency-key']).toBe('INC-1-switch');
    expect(put.json).toEqual({ weights: { adyen: 90, stripe: 10 }, percent: 90, note: '90% to adyen, rest on stripe' });
    expect(shares).toEqual({ adyen: 90, stripe: 10 });
  });

  it('a read-back that disagrees is rolled back to the shares read before', async () => {
    shares = { stripe: 75, adyen: 25 };
    ignoreWrites = true;
    const out = await switchTraffic(deps(httpConfig()), { to: 'adyen', share: 50, key: 'k', dryRun: false });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error).toContain('asked for adyen 50% · stripe 50%');
    const puts = srv.requests.filter((r) => r.method === 'PUT').map((r) => [r.headers['idempotency-key'], r.json]);
    expect(puts).toEqual([
      ['k', { weights: { adyen: 50, stripe: 50 }, percent: 50, note: '50% to adyen, rest on stripe' }],
      ['k-rollback', { weights: { stripe: 75, adyen: 25 }, percent: 75, note: '75% to stripe, rest on adyen' }],
    ]);
  });
});

describe('shell adapter with routing.adapter.split', () => {
  it('runs the split argument list (one argument per value, no shell) and reads the shares the read command prints', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    writeFileSync(state, 'stripe');
    const write = join(dir, 'router.cjs');
    writeFileSync(
      write,
      [
        "const fs = require('fs');",
        `const file = ${JSON.stringify(state)};`,
        'const [cmd, value] = process.argv.slice(2);',
        "if (cmd === 'get') console.log(fs.readFileSync(file, 'utf8'));",
        'else fs.writeFileSync(file, value);',
        "fs.appendFileSync(file + '.log', JSON.stringify(process.argv.slice(2)) + '\\n');",
      ].join('\n'),
    );
    const config = Config.parse({
      providers,
      routing: {
        primary: 'stripe',
        adapter: {
          type: 'shell',
          write: [process.execPath, write, 'set', '{{ to }}'],
          read: [process.execPath, write, 'get'],
          split: [process.execPath, write, 'split', '{{ split }}'],
        },
      },
    });
    const out = await switchTraffic(deps(config), { to: 'adyen', share: 90, key: 'k', dryRun: false });
    expect(out).toMatchObject({
      ok: true,
      result: {
        verified: true,
        split_after: [
          { provider: 'adyen', percent: 90 },
          { provider: 'stripe', percent: 10 },
        ],
      },
    });
    expect(readFileSync(`${state}.log`, 'utf8')).toContain('["split","adyen=90,stripe=10"]');
    // and all of it back: the split command with the whole share, read back as one provider
    const back = await switchTraffic(deps(config), { to: 'stripe', key: 'k2', dryRun: false });
    expect(back).toMatchObject({
      ok: true,
      result: { verified: true, failback: true, split_after: [{ provider: 'stripe', percent: 100 }] },
    });
  });
});

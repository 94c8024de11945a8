import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Config } from '../../src/config/schema.js';
import { createHttpClient } from '../../src/providers/http.js';
import { createRouting } from '../../src/providers/routing/index.js';
import { switchTraffic } from '../../src/providers/switch.js';
import type { Prompter } from '../../src/ui/prompter.js';
import { sendJson, startServer, tempDir, type TestServer } from './helpers.js';

const KEY = 'hs-key-VERY-distinct-9931';
const env = { HS_KEY: KEY };

/** A Hyperswitch-like routing service with status pages; `lie` makes the read-back ignore writes. */
let srv: TestServer;
let order: { connector: string; merchant_connector_id: string }[];
let lie = false;
let statuses: Record<string, string>;

beforeAll(async () => {
  srv = await startServer();
  srv.route('GET /hyperswitch/routing/default', (r, res) =>
    r.headers['api-key'] === KEY ? sendJson(res, 200, order) : sendJson(res, 401, { error: 'bad key' }),
  );
  // no volume split active (the adapter reads it alongside the order)
  srv.route('GET /hyperswitch/routing/active', (_r, res) => sendJson(res, 200, []));
  srv.route('POST /hyperswitch/routing/default', (r, res) => {
    if (!lie) order = r.json as typeof order;
    sendJson(res, 200, order);
  });
  for (const p of ['stripe', 'adyen', 'braintree']) {
    srv.route(`/status/${p}/api/v2/summary.json`, (_r, res) =>
      sendJson(res, 200, {
        status: { indicator: 'none' },
        components: [
          { id: '1', name: 'API', status: statuses[p] },
          { id: '2', name: 'Dashboard', status: 'major_outage' },
        ],
      }),
    );
  }
});
afterAll(() => srv.close());
beforeEach(() => {
  lie = false;
  statuses = { stripe: 'major_outage', adyen: 'operational', braintree: 'operational' };
  order = [
    { connector: 'stripe', merchant_connector_id: 'mca_stripe' },
    { connector: 'adyen', merchant_connector_id: 'mca_adyen' },
    { connector: 'braintree', merchant_connector_id: 'mca_bt' },
  ];
});

function config(extra: Record<string, unknown> = {}) {
  const provider = (p: string, more = {}) => ({
    kind: p,
    statuspage: `${srv.url}/status/${p}`,
    components: ['API'],
    connector_id: `mca_${p === 'braintree' ? 'bt' : p}`,
    ...more,
  });
  return Config.parse({
    providers: { stripe: provider('stripe'), adyen: provider('adyen'), braintree: provider('braintree', { enabled: false }) },
    routing: {
      primary: 'stripe',
      backups: ['adyen', 'braintree'],
      adapter: { type: 'hyperswitch', base_url: `${srv.url}/hyperswitch`, api_key: 'env:HS_KEY' },
    },
    ...extra,
  });
}

function deps(cfg = config(), prompter?: Prompter) {
  const logs: string[] = [];
  return {
    logs,
    deps: {
      config: cfg,
      http: createHttpClient({ timeoutMs: 2000, retries: 0 }),
      env,
      log: (t: string) => logs.push(t),
      ...(prompter ? { prompter } : {}),
    },
  };
}

describe('switchTraffic', () => {
  it('moves traffic, records before/after, verifies by reading back, sends the idempotency key', async () => {
    const { deps: d } = deps();
    const out = await switchTraffic(d, { to: 'adyen', key: 'payctl-INC1-switch', dryRun: false });
    expect(out).toMatchObject({
      ok: true,
      result: {
        from: 'stripe',
        to: 'adyen',
        before: ['stripe', 'adyen', 'braintree'],
        after: ['adyen', 'stripe', 'braintree'],
        verified: true,
        failback: false,
      },
    });
    const post = srv.requests.filter((r) => r.method === 'POST').at(-1)!;
    expect(post.headers['idempotency-key']).toBe('payctl-INC1-switch');
    expect(post.headers['api-key']).toBe(KEY);
    expect(post.json).toEqual([order[0], order[1], order[2]]);
    expect((post.json as { merchant_connector_id: string }[])[0]!.merchant_connector_id).toBe('mca_adyen');
  });

  it('failback is true when traffic goes back to the primary; already-there writes nothing', async () => {
    const { deps: d } = deps();
    statuses.stripe = 'operational';
    await switchTraffic(d, { to: 'adyen', key: 'k1', dryRun: false });
    const back = await switchTraffic(d, { to: 'stripe', key: 'k2', dryRun: false });
    expect(back).toMatchObject({ ok: true, result: { to: 'stripe', failback: true, verified: true } });
    const posts = srv.requests.filter((r) => r.method === 'POST').length;
    const again = await switchTraffic(d, { to: 'stripe', key: 'k3', dryRun: false });
    expect(again).toMatchObject({ ok: true, result: { unchanged: true } });
    expect(srv.requests.filter((r) => r.method === 'POST').length).toBe(posts);
  });

  it('refuses a disabled target, even with force', async () => {
    const { deps: d } = deps();
    const out = await switchTraffic(d, { to: 'braintree', key: 'k', dryRun: false, force: true });
    expect(out).toEqual({
      ok: false,
      retryable: false,
      refused: true,
      error: 'refusing to move traffic to braintree: the config marks it enabled: false',
    });
  });

  it('refuses a target whose status page shows major_outage unless forced', async () => {
    const { deps: d } = deps();
    await switchTraffic(d, { to: 'adyen', key: 'k', dryRun: false });
    const out = await switchTraffic(d, { to: 'stripe', key: 'k2', dryRun: false });
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error).toContain('refusing to move traffic to stripe: its status page shows major_outage');
    expect(order[0]!.connector).toBe('adyen');
    const forced = await switchTraffic(d, { to: 'stripe', key: 'k3', dryRun: false, force: true });
    expect(forced).toMatchObject({ ok: true, result: { verified: true, target_status: 'major_outage' } });
  });

  it('rolls back automatically (unattended) when the read-back disagrees', async () => {
    const { deps: d, logs } = deps();
    lie = true;
    const out = await switchTraffic(d, { to: 'adyen', key: 'payctl-INC2-switch', dryRun: false });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error).toContain('routing read-back disagrees with the write: asked for adyen first, hyperswitch at');
    expect(out.error).toContain('reports stripe → adyen → braintree; rolled back to stripe → adyen → braintree');
    expect(out.result).toMatchObject({ verified: false, rolled_back: true });
    expect(srv.requests.filter((r) => r.method === 'POST').at(-1)!.headers['idempotency-key']).toBe('payctl-INC2-switch-rollback');
    expect(logs.join('\n')).toContain('read-back disagrees');
  });

  it('a rollback after a person was asked builds on the routing as it is then, not as it was read before', async () => {
    lie = true;
    const prompter = {
      canPrompt: true,
      confirm: async () => {
        order.push({ connector: 'worldpay', merchant_connector_id: 'mca_wp' }); // someone adds a connector meanwhile
        await new Promise((r) => setTimeout(r, 1100));
        return true;
      },
    } as unknown as Prompter;
    const { deps: d } = deps(config(), prompter);
    const out = await switchTraffic(d, { to: 'adyen', key: 'k-fresh', dryRun: false });
    expect(out).toMatchObject({ ok: false, result: { rolled_back: true } });
    const rollback = srv.requests.filter((r) => r.method === 'POST').at(-1)!;
    expect(rollback.headers['idempotency-key']).toBe('k-fresh-rollback');
    expect((rollback.json as { connector: string }[]).map((c) => c.connector)).toEqual(['stripe', 'adyen', 'braintree', 'worldpay']);
  });

  it('asks before rolling back when a person is there', async () => {
    lie = true;
    const asked: string[] = [];
    const prompter = { canPrompt: true, confirm: async (q: string) => (asked.push(q), false) } as unknown as Prompter;
    const { deps: d } = deps(config(), prompter);
    const out = await switchTraffic(d, { to: 'adyen', key: 'k', dryRun: false });
    expect(asked).toEqual(['Roll the routing back to stripe → adyen → braintree?']);
    expect(out).toMatchObject({ ok: false, result: { rolled_back: false } });
  });

  it('dry run reads for real and prints the write', async () => {
    const { deps: d, logs } = deps();
    const http = createHttpClient({ timeoutMs: 2000, retries: 0, dryRun: true, log: (t) => logs.push(t) });
    const posts = srv.requests.filter((r) => r.method === 'POST').length;
    const out = await switchTraffic({ ...d, http }, { to: 'adyen', key: 'k', dryRun: true });
    expect(out).toMatchObject({ ok: true, result: { dry_run: true, verified: false, after: ['adyen', 'stripe', 'braintree'] } });
    expect(srv.requests.filter((r) => r.method === 'POST').length).toBe(posts);
    expect(logs.some((l) => l.startsWith(`[dry-run] would POST ${srv.url}/hyperswitch/routing/default`))).toBe(true);
    expect(logs.join('\n')).not.toContain(KEY);
  });
});

describe('routing adapters', () => {
  it('http: templated write and read-back by JSON path', async () => {
    let active = 'stripe';
    srv.route('PUT /flags/processor', (r, res) => {
      active = (r.json as { value: string }).value;
      sendJson(res, 200, {});
    });
    srv.route('GET /flags/processor', (_r, res) => sendJson(res, 200, { flag: { value: active } }));
    const cfg = Config.parse({
      providers: { stripe: { kind: 'stripe' }, adyen: { kind: 'adyen' } },
      routing: {
        primary: 'stripe',
        adapter: {
          type: 'http',
          write: {
            method: 'PUT',
            url: `${srv.url}/flags/processor`,
            headers: { Authorization: 'env:HS_KEY' },
            body: { value: '{{ to }}', order: '{{ order }}' },
          },
          read: { url: `${srv.url}/flags/processor`, path: 'flag.value' },
        },
      },
    });
    const r = await createRouting({
      config: cfg,
      http: createHttpClient({ retries: 0 }),
      env,
      dryRun: false,
      log: () => undefined,
      timeoutMs: 2000,
    });
    expect(await r.read()).toEqual(['stripe']);
    await r.write(['adyen', 'stripe'], 'key-1');
    expect(await r.read()).toEqual(['adyen']);
    const put = srv.requests.filter((x) => x.path === '/flags/processor' && x.method === 'PUT').at(-1)!;
    expect(put.json).toEqual({ value: 'adyen', order: 'adyen,stripe' });
    expect(put.headers.authorization).toBe(KEY);
    expect(put.headers['idempotency-key']).toBe('key-1');
  });

  it('shell: argument lists, each template value one argument (no shell)', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.txt');
    writeFileSync(state, 'stripe\n');
    const script = join(dir, 'route.mjs');
    writeFileSync(
      script,
      `import { writeFileSync, readFileSync } from 'node:fs';
const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'get') process.stdout.write(readFileSync(${JSON.stringify(state)}, 'utf8'));
else writeFileSync(${JSON.stringify(state)}, JSON.stringify(rest));`,
    );
    const cfg = Config.parse({
      providers: { stripe: { kind: 'stripe' }, adyen: { kind: 'adyen' } },
      routing: {
        primary: 'stripe',
        adapter: {
          type: 'shell',
          write: [process.execPath, script, 'set', '{{ to }}', '{{ order }}'],
          read: [process.execPath, script, 'get'],
        },
      },
    });
    const r = await createRouting({
      config: cfg,
      http: createHttpClient(),
      env: process.env,
      dryRun: false,
      log: () => undefined,
      timeoutMs: 5000,
    });
    expect(await r.read()).toEqual(['stripe']);
    await r.write(['adyen; rm -rf / $(whoami)', 'stripe'], 'k');
    expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual(['adyen; rm -rf / $(whoami)', 'adyen; rm -rf / $(whoami),stripe']);
    writeFileSync(state, '["adyen","stripe"]');
    expect(await r.read()).toEqual(['adyen', 'stripe']);
  });

  it('no adapter configured: a clear error', async () => {
    const cfg = Config.parse({ providers: { stripe: { kind: 'stripe' } }, routing: { primary: 'stripe' } });
    await expect(
      createRouting({ config: cfg, http: createHttpClient(), env: {}, dryRun: false, log: () => undefined, timeoutMs: 1000 }),
    ).rejects.toThrow('no routing adapter is configured');
  });
});

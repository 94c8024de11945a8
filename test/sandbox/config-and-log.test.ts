import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { Config } from '../../src/config/schema.js';
import { sandboxEnv, startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { call } from './http.js';

let sb: SandboxHandle;
let dir: string;
beforeAll(async () => {
  sb = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'payctl-sandbox-'));
});
afterAll(async () => {
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sb.reset());

describe('the config that points at the sandbox', () => {
  it('parses with the Config schema and has the standard names', () => {
    const c = Config.parse(sb.configObject());
    expect(Object.keys(c.providers)).toEqual(['stripe', 'adyen', 'braintree']);
    expect(c.routing).toMatchObject({
      primary: 'stripe',
      backups: ['adyen', 'braintree'],
      adapter: { type: 'hyperswitch', base_url: `${sb.url}/hyperswitch` },
    });
    expect(Object.keys(c.channels).sort()).toEqual(['banner', 'email', 'pagerduty', 'processor-support', 'slack', 'social', 'statuspage']);
    expect(c.providers.stripe).toMatchObject({
      statuspage: `${sb.url}/status/stripe`,
      components: ['API', 'Card payments'],
      escalation: { pagerduty_channel: 'pagerduty', ticket_channel: 'processor-support', follow_up_every: '30m' },
    });
    expect(c.metrics).toMatchObject({ type: 'prometheus', url: `${sb.url}/prometheus` });
    expect(c.business).toEqual({ average_order_value: 80, orders_per_minute: 120, currency: 'USD' });
  });

  it('configYaml() is the same config, and loads through loadConfig (cross-checks included)', () => {
    expect(parse(sb.configYaml())).toEqual(sb.configObject());
    const file = join(dir, 'payctl.config.yaml');
    writeFileSync(file, sb.configYaml());
    const loaded = loadConfig(dir, file, {});
    expect(loaded.config.routing?.primary).toBe('stripe');
  });

  it('every secret is an env: reference that sandboxEnv() provides', () => {
    const text = JSON.stringify(sb.configObject());
    const refs = [...new Set([...text.matchAll(/"env:([A-Z_]+)"/g)].map((m) => m[1]))].sort();
    expect(refs).toEqual(Object.keys(sandboxEnv(sb)).sort());
    for (const v of Object.values(sandboxEnv(sb))) expect(text).not.toContain(v);
  });

  it('each configured endpoint answers a well-formed request with the env values', async () => {
    const c = Config.parse(sb.configObject());
    const env = sandboxEnv(sb);
    const ch = c.channels;
    expect((await call(`${c.providers.adyen!.statuspage}/api/v2/summary.json`)).status).toBe(200);
    expect((await call(env.SANDBOX_SLACK_WEBHOOK_URL, { method: 'POST', json: { text: 'hi' } })).text).toBe('ok');
    const sp = ch.statuspage!;
    if (sp.type !== 'statuspage') throw new Error('statuspage channel');
    const inc = await call(`${sp.base_url}/pages/${sp.page_id}/incidents`, {
      method: 'POST',
      headers: { authorization: `OAuth ${env.SANDBOX_STATUSPAGE_KEY}` },
      json: { incident: { name: 'x', components: { [sp.component_ids!.stripe!]: 'major_outage' } } },
    });
    expect(inc.status).toBe(201);
    const pd = ch.pagerduty!;
    if (pd.type !== 'pagerduty') throw new Error('pagerduty channel');
    const page = await call(`${pd.base_url}/v2/enqueue`, {
      method: 'POST',
      json: {
        routing_key: env.SANDBOX_PAGERDUTY_KEY,
        event_action: 'trigger',
        payload: { summary: 's', source: 'payctl', severity: 'error' },
      },
    });
    expect(page.status).toBe(202);
    for (const name of ['email', 'banner', 'social', 'processor-support']) {
      const w = ch[name]!;
      if (w.type !== 'webhook') throw new Error(name);
      expect((await call(w.url, { method: w.method, json: { x: 1 }, headers: { authorization: env.SANDBOX_WEBHOOK_TOKEN } })).body.ok).toBe(
        true,
      );
    }
    const adapter = c.routing!.adapter!;
    if (adapter.type !== 'hyperswitch') throw new Error('adapter');
    const routing = (await call(`${adapter.base_url}/routing/default`, { headers: { 'api-key': env.SANDBOX_HYPERSWITCH_KEY } })).body;
    expect(routing.map((r: any) => r.merchant_connector_id)).toEqual(
      ['stripe', 'adyen', 'braintree'].map((p) => c.providers[p]!.connector_id),
    );
  });
});

describe('request log', () => {
  it('records every emulated-API request: time, method, path, query, headers, parsed body, target, status', async () => {
    await call(`${sb.url}/webhook/banner?source=test`, {
      method: 'POST',
      json: { text: 'Payments delayed' },
      headers: { 'idempotency-key': 'payctl-INC-1-notify-banner' },
    });
    await call(`${sb.url}/prometheus/api/v1/query?query=up`);
    await call(`${sb.url}/nowhere`);
    const log = sb.requests();
    expect(log).toHaveLength(3);
    expect(log[0]).toMatchObject({
      seq: 1,
      method: 'POST',
      path: '/webhook/banner',
      query: { source: 'test' },
      headers: { 'idempotency-key': 'payctl-INC-1-notify-banner', 'content-type': 'application/json' },
      body: { text: 'Payments delayed' },
      target: 'webhook',
      status: 200,
    });
    expect(Date.parse(log[0]!.time)).not.toBeNaN();
    expect(log[1]).toMatchObject({ target: 'prometheus', query: { query: 'up' }, status: 200 });
    expect(log[2]).toMatchObject({ path: '/nowhere', status: 404 });
    expect(log[2]!.target).toBeUndefined();
  });

  it('is served at /_control/requests with filters; control requests are not logged', async () => {
    await call(`${sb.url}/webhook/email`, { method: 'POST', json: { a: 1 } });
    await call(`${sb.url}/status/stripe/api/v2/status.json`);
    await call(`${sb.url}/_control/state`);
    let r = await call(`${sb.url}/_control/requests`);
    expect(r.body.requests.map((x: any) => x.path)).toEqual(['/webhook/email', '/status/stripe/api/v2/status.json']);
    r = await call(`${sb.url}/_control/requests?target=stripe`);
    expect(r.body.requests).toHaveLength(1);
    r = await call(`${sb.url}/_control/requests?after=${r.body.requests[0].seq}`);
    expect(r.body.requests).toEqual([]);
    await call(`${sb.url}/_control/requests`, { method: 'DELETE' });
    expect(sb.requests()).toEqual([]);
  });

  it('/_control/state, /_control/reset, /_control/config and /_control/env', async () => {
    sb.injectFault('stripe:down');
    await call(`${sb.url}/hyperswitch/routing/default`, {
      method: 'POST',
      headers: { 'api-key': 'k' },
      json: ['braintree', 'adyen', 'stripe'].map((p) => ({ connector: p, merchant_connector_id: `mca_sandbox_${p}` })),
    });
    let s = (await call(`${sb.url}/_control/state`)).body;
    expect(s.faults).toHaveLength(1);
    expect(s.routing.order).toEqual(['braintree', 'adyen', 'stripe']);
    expect(s.routing.changes).toHaveLength(1);
    expect(s.providers.stripe.components['Card payments']).toBe('major_outage');
    expect(s.requests).toBe(1);
    expect((await call(`${sb.url}/_control/reset`, { method: 'POST' })).body).toEqual({ ok: true });
    s = (await call(`${sb.url}/_control/state`)).body;
    expect(s.faults).toEqual([]);
    expect(s.routing.order).toEqual(['stripe', 'adyen', 'braintree']);
    expect(s.requests).toBe(0);
    expect((await call(`${sb.url}/_control/config`)).body).toEqual(sb.configObject());
    expect((await call(`${sb.url}/_control/env`)).body).toEqual(sandboxEnv(sb));
    expect((await call(`${sb.url}/_control/nothing`)).status).toBe(404);
  });
});

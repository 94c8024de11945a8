import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sandboxEnv, startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { call } from './http.js';

let sb: SandboxHandle;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

const KEY = 'k'.repeat(32);
const trigger = (dedup: string, over: Record<string, unknown> = {}) => ({
  routing_key: KEY,
  event_action: 'trigger',
  dedup_key: dedup,
  payload: { summary: 'Stripe down', source: 'payctl', severity: 'critical' },
  ...over,
});

describe('PagerDuty Events API v2', () => {
  it('accepts a trigger with 202 {status, message, dedup_key}', async () => {
    const r = await call(`${sb.url}/pagerduty/v2/enqueue`, { method: 'POST', json: trigger('payctl-inc1-page') });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'payctl-inc1-page' });
  });

  it('refuses a routing key that is not 32 characters, with the real 400 body', async () => {
    const r = await call(`${sb.url}/pagerduty/v2/enqueue`, { method: 'POST', json: trigger('x', { routing_key: 'short' }) });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"],
    });
  });

  it('lists every problem: bad event_action, missing summary/source, bad severity', async () => {
    let r = await call(`${sb.url}/pagerduty/v2/enqueue`, { method: 'POST', json: trigger('x', { event_action: 'page' }) });
    expect(r.status).toBe(400);
    expect(r.body.errors.join(' ')).toMatch(/event_action/);
    r = await call(`${sb.url}/pagerduty/v2/enqueue`, { method: 'POST', json: trigger('x', { payload: { severity: 'sev1' } }) });
    expect(r.status).toBe(400);
    expect(r.body.errors).toHaveLength(3);
    r = await call(`${sb.url}/pagerduty/v2/enqueue`, { method: 'POST', json: { routing_key: KEY, event_action: 'resolve' } });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/dedup_key/);
  });

  it('de-duplicates by dedup_key: repeated triggers are one alert, then acknowledge and resolve', async () => {
    for (let i = 0; i < 3; i++) await call(`${sb.url}/pagerduty/v2/enqueue`, { method: 'POST', json: trigger('payctl-inc1-page') });
    await call(`${sb.url}/pagerduty/v2/enqueue`, { method: 'POST', json: trigger('payctl-inc2-page') });
    let alerts = sb.state().pagerduty.alerts;
    expect(alerts.map((a) => [a.dedup_key, a.triggers])).toEqual([
      ['payctl-inc1-page', 3],
      ['payctl-inc2-page', 1],
    ]);
    await call(`${sb.url}/pagerduty/v2/enqueue`, {
      method: 'POST',
      json: { routing_key: KEY, event_action: 'acknowledge', dedup_key: 'payctl-inc1-page' },
    });
    expect(sb.state().pagerduty.alerts[0]!.status).toBe('acknowledged');
    await call(`${sb.url}/pagerduty/v2/enqueue`, {
      method: 'POST',
      json: { routing_key: KEY, event_action: 'resolve', dedup_key: 'payctl-inc1-page' },
    });
    alerts = sb.state().pagerduty.alerts;
    expect(alerts[0]).toMatchObject({ status: 'resolved', summary: 'Stripe down', severity: 'critical' });
    expect(alerts[0]!.events.map((e) => e.action)).toEqual(['trigger', 'trigger', 'trigger', 'acknowledge', 'resolve']);
  });

  it('the sandbox env key is a valid 32-character routing key', async () => {
    const r = await call(`${sb.url}/pagerduty/v2/enqueue`, {
      method: 'POST',
      json: trigger('k1', { routing_key: sandboxEnv(sb).SANDBOX_PAGERDUTY_KEY }),
    });
    expect(r.status).toBe(202);
  });
});

describe('Slack incoming webhook', () => {
  const hook = () => sandboxEnv(sb).SANDBOX_SLACK_WEBHOOK_URL;

  it('answers 200 with plain-text ok and records the message', async () => {
    const r = await call(hook(), {
      method: 'POST',
      json: { text: 'Stripe is down', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*down*' } }] },
    });
    expect(r.status).toBe(200);
    expect(r.text).toBe('ok');
    expect(sb.state().slack.messages).toMatchObject([{ text: 'Stripe is down', blocks: [{ type: 'section' }] }]);
  });

  it('gives Slack plain-text errors', async () => {
    const base = `${sb.url}/slack/services/T000/B000`;
    expect(await call(hook(), { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } })).toMatchObject({
      status: 400,
      text: 'invalid_payload',
    });
    expect(await call(hook(), { method: 'POST', json: {} })).toMatchObject({ status: 400, text: 'no_text' });
    expect(await call(`${base}/channel_not_found`, { method: 'POST', json: { text: 'x' } })).toMatchObject({
      status: 404,
      text: 'channel_not_found',
    });
    expect(await call(`${base}/channel_is_archived`, { method: 'POST', json: { text: 'x' } })).toMatchObject({
      status: 410,
      text: 'channel_is_archived',
    });
    expect(await call(`${base}/action_prohibited`, { method: 'POST', json: { text: 'x' } })).toMatchObject({
      status: 403,
      text: 'action_prohibited',
    });
    expect(await call(`${sb.url}/slack/services/T000`, { method: 'POST', json: { text: 'x' } })).toMatchObject({
      status: 404,
      text: 'no_service',
    });
    expect(sb.state().slack.messages).toEqual([]);
  });
});

describe('Statuspage manage API', () => {
  const base = () => `${sb.url}/statuspage/v1/pages/sandbox-page/incidents`;
  const auth = { authorization: 'OAuth sandbox-fake-statuspage-key' };

  it('requires Authorization: OAuth <key>', async () => {
    expect((await call(base(), { method: 'POST', json: { incident: { name: 'x' } } })).status).toBe(401);
    expect(
      (await call(base(), { method: 'POST', json: { incident: { name: 'x' } }, headers: { authorization: 'Bearer abc' } })).status,
    ).toBe(401);
  });

  it('creates an incident (201 with id), updates it with PATCH, and lists it in state()', async () => {
    const created = await call(base(), {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': 'payctl-inc1-notify-statuspage' },
      json: {
        incident: {
          name: 'Card payments degraded',
          status: 'investigating',
          body: 'We are looking into it',
          components: { 'sbx-cmp-stripe': 'major_outage' },
          deliver_notifications: true,
        },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      name: 'Card payments degraded',
      status: 'investigating',
      page_id: 'sandbox-page',
    });
    const id = created.body.id;
    const patched = await call(`${base()}/${id}`, {
      method: 'PATCH',
      headers: auth,
      json: { incident: { status: 'resolved', body: 'Fixed', components: { 'sbx-cmp-stripe': 'operational' } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.status).toBe('resolved');
    expect(patched.body.resolved_at).toEqual(expect.any(String));
    expect(patched.body.incident_updates.map((u: any) => u.status)).toEqual(['resolved', 'investigating']);
    const [inc] = sb.state().statuspage.incidents;
    expect(inc).toMatchObject({
      id,
      status: 'resolved',
      components: { 'sbx-cmp-stripe': 'operational' },
      idempotency_keys: ['payctl-inc1-notify-statuspage'],
    });
    expect((await call(`${base()}/${id}`, { headers: auth })).body.id).toBe(id);
    expect((await call(base(), { headers: auth })).body).toHaveLength(1);
  });

  it('rejects bad input with 4xx and an error message', async () => {
    expect((await call(base(), { method: 'POST', headers: auth, json: { incident: { status: 'investigating' } } })).body.error).toMatch(
      /Name can't be blank/,
    );
    const r = await call(base(), { method: 'POST', headers: auth, json: { incident: { name: 'x', components: { nope: 'operational' } } } });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatch(/Component nope not found/);
    expect((await call(`${base()}/missing`, { method: 'PATCH', headers: auth, json: { incident: {} } })).status).toBe(404);
    expect(
      (await call(`${sb.url}/statuspage/v1/pages/other/incidents`, { method: 'POST', headers: auth, json: { incident: { name: 'x' } } }))
        .status,
    ).toBe(404);
  });
});

describe('Hyperswitch routing', () => {
  const url = () => `${sb.url}/hyperswitch/routing/default`;
  const h = { 'api-key': 'sandbox-fake-hyperswitch-key' };
  const order = (...names: string[]) => names.map((n) => ({ connector: n, merchant_connector_id: `mca_sandbox_${n}` }));

  it('requires the api-key header', async () => {
    const r = await call(url());
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({ type: 'invalid_request', code: 'IR_01' });
  });

  it('reads and replaces the fallback connector order', async () => {
    expect((await call(url(), { headers: h })).body).toEqual(order('stripe', 'adyen', 'braintree'));
    const w = await call(url(), { method: 'POST', headers: h, json: order('adyen', 'stripe', 'braintree') });
    expect(w.status).toBe(200);
    expect(w.body).toEqual(order('adyen', 'stripe', 'braintree'));
    expect((await call(url(), { headers: h })).body).toEqual(order('adyen', 'stripe', 'braintree'));
    expect(sb.state().routing.order).toEqual(['adyen', 'stripe', 'braintree']);
  });

  it('refuses unknown connectors, mismatched ids and partial lists with 400', async () => {
    for (const body of [
      order('adyen', 'stripe', 'nope'),
      [{ connector: 'adyen', merchant_connector_id: 'mca_x' }, ...order('stripe', 'braintree')],
      order('adyen'),
      { connector: 'adyen' },
    ]) {
      const r = await call(url(), { method: 'POST', headers: h, json: body });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toEqual(expect.any(String));
    }
    expect(sb.state().routing.order).toEqual(['stripe', 'adyen', 'braintree']);
  });

  it('the stale fault acknowledges a write but the read-back disagrees', async () => {
    sb.injectFault('hyperswitch:stale');
    expect((await call(url(), { method: 'POST', headers: h, json: order('adyen', 'stripe', 'braintree') })).status).toBe(200);
    expect((await call(url(), { headers: h })).body[0].connector).toBe('stripe');
  });
});

describe('generic webhooks', () => {
  it('accept JSON and answer {ok, id}', async () => {
    const r = await call(`${sb.url}/webhook/email`, {
      method: 'POST',
      json: { subject: 'Payments degraded' },
      headers: { 'idempotency-key': 'k-email' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, id: expect.stringMatching(/^wh_/) });
    expect(sb.state().webhooks.deliveries).toMatchObject([
      { name: 'email', body: { subject: 'Payments degraded' }, idempotency_key: 'k-email' },
    ]);
    expect((await call(`${sb.url}/webhook/email`)).status).toBe(405);
  });
});

describe('Prometheus', () => {
  const q = (query: string) => `${sb.url}/prometheus/api/v1/query?query=${encodeURIComponent(query)}`;

  it('answers the success-rate query with a one-sample vector in the standard envelope', async () => {
    const r = await call(q('sum(rate(payments_succeeded_total[5m])) / sum(rate(payments_attempted_total[5m]))'));
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('success');
    expect(r.body.data.resultType).toBe('vector');
    expect(r.body.data.result).toHaveLength(1);
    const [ts, value] = r.body.data.result[0].value;
    expect(typeof ts).toBe('number');
    expect(typeof value).toBe('string');
    expect(Number(value)).toBeGreaterThan(0.97);
  });

  it('answers a decline query with a vector by code, and takes POST form bodies', async () => {
    const r = await call(`${sb.url}/prometheus/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: 'sum by (code) (rate(payments_declined_total[5m]))' }).toString(),
    });
    expect(r.status).toBe(200);
    const codes = r.body.data.result.map((s: any) => s.metric.code);
    expect(codes).toContain('insufficient_funds');
    for (const s of r.body.data.result) expect(Number(s.value[1])).toBeGreaterThanOrEqual(0);
  });

  it('gives bad_data error envelopes for a missing or unparsable query', async () => {
    let r = await call(`${sb.url}/prometheus/api/v1/query`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    r = await call(q('sum(rate(x[5m])'));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/parse error/);
  });

  it('the nan fault returns "NaN" samples', async () => {
    sb.injectFault('prometheus:nan');
    expect((await call(q('up'))).body.data.result[0].value[1]).toBe('NaN');
  });

  it('query_range returns a matrix', async () => {
    const end = Date.now() / 1000;
    const r = await call(`${sb.url}/prometheus/api/v1/query_range?query=up&start=${end - 60}&end=${end}&step=15`);
    expect(r.body.data.resultType).toBe('matrix');
    expect(r.body.data.result[0].values.length).toBeGreaterThan(1);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { parseFaultSpec, parseFaultSpecs } from '../../src/sandbox/faults.js';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { waitUntil } from '../helpers/wait.js';
import { call } from './http.js';

const P = ['stripe', 'adyen', 'braintree'];

describe('fault specs', () => {
  it('parse target, kind, parameter and heal-after', () => {
    expect(parseFaultSpec('stripe:down', P)).toMatchObject({ target: 'stripe', kind: 'down', slot: 'condition', spec: 'stripe:down' });
    expect(parseFaultSpec('stripe:down:8s', P)).toMatchObject({ kind: 'down', healAfterMs: 8000 });
    expect(parseFaultSpec('stripe:rate_limit', P)).toMatchObject({ kind: 'rate_limit', slot: 'condition' });
    expect(parseFaultSpec('slack:rate_limit', P)).toMatchObject({ kind: 'rate_limit', slot: 'response' });
    expect(parseFaultSpec('slack:errors=2', P)).toMatchObject({ kind: 'errors', remaining: 2 });
    expect(parseFaultSpec('pagerduty:latency=150ms:1m', P)).toMatchObject({ kind: 'latency', latencyMs: 150, healAfterMs: 60_000 });
    expect(parseFaultSpec('stripe:garbage', P)).toMatchObject({ garbage: 'html' });
    expect(parseFaultSpec('prometheus:garbage', P)).toMatchObject({ garbage: 'truncated' });
    expect(parseFaultSpec('stripe:garbage=truncated', P)).toMatchObject({ garbage: 'truncated' });
    expect(parseFaultSpec('stripe:silent', P)).toMatchObject({ kind: 'silent', slot: 'condition' });
    expect(parseFaultSpec('stripe:early_recovery=6s:1m', P)).toMatchObject({
      kind: 'early_recovery',
      slot: 'condition',
      admittedForMs: 6000,
      healAfterMs: 60_000,
      spec: 'stripe:early_recovery=6s:1m',
    });
    expect(parseFaultSpecs('stripe:down, slack:errors', P).map((f) => f.spec)).toEqual(['stripe:down', 'slack:errors']);
  });

  it.each([
    ['stripe', /two or three parts/],
    ['paypal:down', /unknown target "paypal".*targets: stripe, adyen, braintree, slack/],
    ['stripe:exploded', /unknown kind "exploded" for stripe/],
    ['slack:down', /unknown kind "down" for slack/],
    ['stripe:down:soon', /"soon" is not a duration/],
    ['stripe:latency', /latency needs a duration/],
    ['stripe:early_recovery', /early_recovery needs how long the status page admits the outage/],
    ['stripe:early_recovery=soon', /early_recovery needs/],
    ['stripe:silent=5s', /"silent" takes no parameter/],
    ['slack:silent', /unknown kind "silent" for slack/],
    ['slack:errors=zero', /whole number/],
    ['stripe:garbage=xml', /html or truncated/],
    ['', /empty/],
  ])('refuse %j with a clear message', (spec, message) => {
    let err: unknown;
    try {
      parseFaultSpecs(spec, P);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toMatch(message);
    expect((err as InvalidInputError).hint).toMatch(/<target>:<kind>/);
  });
});

describe('faults over HTTP', () => {
  let sb: SandboxHandle | undefined;
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
  });
  const slack = () => `${sb!.url}/slack/services/T000/B000/tok`;

  it('inject and heal through the control endpoints; bad specs are a 400', async () => {
    sb = await startSandbox();
    const r = await call(`${sb.url}/_control/fault`, { method: 'POST', json: { spec: 'stripe:down' } });
    expect(r.status).toBe(200);
    expect(r.body.injected[0]).toMatchObject({ target: 'stripe', kind: 'down', injectedAt: expect.any(String) });
    expect(sb.state().providers.stripe!.status.indicator).toBe('critical');
    const bad = await call(`${sb.url}/_control/fault`, { method: 'POST', json: { spec: 'stripe:melted' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/unknown kind "melted"/);
    const healed = await call(`${sb.url}/_control/heal`, { method: 'POST', json: { target: 'stripe' } });
    expect(healed.body.healed).toHaveLength(1);
    expect(healed.body.active).toEqual([]);
    expect(sb.state().providers.stripe!.status.indicator).toBe('none');
  });

  it('a new fault replaces the old one in the same slot; latency stacks with a condition', async () => {
    sb = await startSandbox({ fault: 'stripe:down' });
    sb.injectFault('stripe:degraded');
    sb.injectFault('stripe:latency=10ms');
    expect(sb.faults().map((f) => f.spec)).toEqual(['stripe:degraded', 'stripe:latency=10ms']);
    sb.heal();
    expect(sb.faults()).toEqual([]);
  });

  it('auto-heals after the given duration', async () => {
    sb = await startSandbox();
    sb.injectFault('stripe:down:150ms');
    expect(sb.faults()[0]!.healsAt).toEqual(expect.any(String));
    await waitUntil(() => sb!.faults().length === 0, { ms: 10_000, what: 'the fault healing itself' });
    expect(sb.faults()).toEqual([]);
    expect((await call(`${sb.url}/status/stripe/api/v2/status.json`)).body.status.indicator).toBe('none');
    expect(sb.state().healed_faults[0]).toMatchObject({ spec: 'stripe:down:150ms', healedAt: expect.any(String) });
  });

  it('errors: 500 in the style of each API; errors=<n> is a burst of n', async () => {
    sb = await startSandbox({ fault: 'slack:errors=2,pagerduty:errors,stripe:errors' });
    expect(await call(slack(), { method: 'POST', json: { text: 'a' } })).toMatchObject({ status: 500, text: 'rollup_error' });
    expect((await call(slack(), { method: 'POST', json: { text: 'a' } })).status).toBe(500);
    expect(await call(slack(), { method: 'POST', json: { text: 'a' } })).toMatchObject({ status: 200, text: 'ok' });
    const pd = await call(`${sb.url}/pagerduty/v2/enqueue`, { method: 'POST', json: {} });
    expect(pd.status).toBe(500);
    const page = await call(`${sb.url}/status/stripe/api/v2/summary.json`);
    expect(page.status).toBe(500);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('rate_limit on an API: 429 with Retry-After: 1', async () => {
    sb = await startSandbox({ fault: 'slack:rate_limit' });
    const r = await call(slack(), { method: 'POST', json: { text: 'a' } });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.text).toBe('rate_limited');
  });

  it('latency delays the answer by at least the given duration', async () => {
    sb = await startSandbox({ fault: 'prometheus:latency=120ms' });
    const t0 = performance.now();
    const r = await call(`${sb.url}/prometheus/api/v1/query?query=up`);
    expect(r.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
  });

  it('garbage: an HTML page for a status page, a truncated JSON body elsewhere', async () => {
    sb = await startSandbox({ fault: 'stripe:garbage,hyperswitch:garbage' });
    const page = await call(`${sb.url}/status/stripe/api/v2/summary.json`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toMatch(/^<!DOCTYPE html>/);
    const hs = await call(`${sb.url}/hyperswitch/routing/default`, { headers: { 'api-key': 'k' } });
    expect(hs.headers.get('content-type')).toMatch(/json/);
    expect(() => JSON.parse(hs.text)).toThrow();
    expect(hs.text.startsWith('[{"connector":"stripe"')).toBe(true);
  });

  it('hang: the request is never answered (a client timeout bounds it) and close() does not hang', async () => {
    sb = await startSandbox({ fault: 'slack:hang' });
    const aborted = await call(slack(), { method: 'POST', json: { text: 'a' }, timeoutMs: 300 }).catch((e: Error) => e);
    expect(aborted).toBeInstanceOf(Error);
    expect((aborted as Error).name).toBe('TimeoutError');
    // a second hanging request still open while closing
    const pending = fetch(slack(), { method: 'POST', body: '{"text":"b"}' }).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(sb.requests({ target: 'slack' })).toHaveLength(2);
    await sb.close();
    expect(await pending).toBe('dropped');
    sb = undefined;
  });

  it('a provider given at start must exist, and providers are configurable', async () => {
    await expect(startSandbox({ fault: 'paypal:down' })).rejects.toThrow(/unknown target "paypal"/);
    sb = await startSandbox({ providers: ['p1', 'p2'], fault: 'p2:degraded' });
    expect((await call(`${sb.url}/status/p2/api/v2/status.json`)).body.status.indicator).toBe('minor');
    expect((await call(`${sb.url}/status/stripe/api/v2/status.json`)).status).toBe(404);
  });
});

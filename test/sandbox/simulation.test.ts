import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { call, manualClock } from './http.js';

let sb: SandboxHandle | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const SUCCESS = 'sum(rate(payments_succeeded_total[5m])) / sum(rate(payments_attempted_total[5m]))';
const DECLINES = 'sum by (code) (rate(payments_declined_total[5m]))';

async function rate(url: string): Promise<number> {
  const r = await call(`${url}/prometheus/api/v1/query?query=${encodeURIComponent(SUCCESS)}`);
  return Number(r.body.data.result[0].value[1]);
}

async function declines(url: string): Promise<Record<string, number>> {
  const r = await call(`${url}/prometheus/api/v1/query?query=${encodeURIComponent(DECLINES)}`);
  return Object.fromEntries(r.body.data.result.map((s: any) => [s.metric.code, Number(s.value[1])]));
}

const order = (...names: string[]) => names.map((n) => ({ connector: n, merchant_connector_id: `mca_sandbox_${n}` }));

describe('traffic simulation behind Prometheus', () => {
  it('is low while the first connector is down, and recovers after a healthy provider is moved first', async () => {
    const clock = manualClock();
    sb = await startSandbox({ now: clock.now, transitionMs: 2000 });
    expect(await rate(sb.url)).toBeGreaterThan(0.98);

    sb.injectFault('stripe:down');
    clock.advance(3000);
    expect(await rate(sb.url)).toBeLessThan(0.1);
    expect(sb.state().traffic).toMatchObject({ provider: 'stripe', condition: 'down' });
    const d = await declines(sb.url);
    expect(d.processing_error).toBeGreaterThan(1); // most of 2 orders/s fail with processing_error
    expect(d.processing_error).toBeGreaterThan(10 * (d.insufficient_funds ?? 0));

    // a fault on a backup does not move the rate
    sb.injectFault('braintree:down');
    clock.advance(3000);
    expect(await rate(sb.url)).toBeLessThan(0.1);

    const w = await call(`${sb.url}/hyperswitch/routing/default`, {
      method: 'POST',
      headers: { 'api-key': 'k' },
      json: order('adyen', 'stripe', 'braintree'),
    });
    expect(w.status).toBe(200);
    // moving: part-way after 1 s, recovered after 2 s
    clock.advance(1000);
    const mid = await rate(sb.url);
    expect(mid).toBeGreaterThan(0.3);
    expect(mid).toBeLessThan(0.8);
    clock.advance(1500);
    expect(await rate(sb.url)).toBeGreaterThan(0.98);
    expect(sb.state().traffic).toMatchObject({ provider: 'adyen', condition: 'healthy' });
  });

  it('a fault present at start begins at its steady rate; healing recovers', async () => {
    const clock = manualClock();
    sb = await startSandbox({ now: clock.now, fault: 'stripe:degraded' });
    const r = await rate(sb.url);
    expect(r).toBeGreaterThan(0.75);
    expect(r).toBeLessThan(0.85);
    sb.heal();
    clock.advance(2500);
    expect(await rate(sb.url)).toBeGreaterThan(0.98);
  });

  it('declines put do_not_honor on top; rate_limit puts rate_limit on top', async () => {
    const clock = manualClock();
    sb = await startSandbox({ now: clock.now, fault: 'stripe:declines' });
    let d = await declines(sb.url);
    expect(Object.entries(d).sort((a, b) => b[1] - a[1])[0]![0]).toBe('do_not_honor');
    sb.injectFault('stripe:rate_limit');
    clock.advance(3000);
    d = await declines(sb.url);
    expect(Object.entries(d).sort((a, b) => b[1] - a[1])[0]![0]).toBe('rate_limit');
    const r = await rate(sb.url);
    expect(r).toBeGreaterThan(0.6);
    expect(r).toBeLessThan(0.8);
  });

  it('silent and early_recovery: about 80% success with processing_error on top, whatever the status page says', async () => {
    const clock = manualClock();
    for (const fault of ['stripe:silent', 'stripe:early_recovery=1s']) {
      sb = await startSandbox({ now: clock.now, fault });
      clock.advance(5000); // early_recovery's page has declared recovery by now
      expect((await call(`${sb.url}/status/stripe/api/v2/status.json`)).body.status.indicator).toBe('none');
      const r = await rate(sb.url);
      expect(r, fault).toBeGreaterThan(0.75);
      expect(r, fault).toBeLessThan(0.85);
      const d = await declines(sb.url);
      expect(Object.entries(d).sort((a, b) => b[1] - a[1])[0]![0], fault).toBe('processing_error');
      await sb.close();
      sb = undefined;
    }
  });

  it('noise is small and deterministic: the same second reads the same value', async () => {
    const clock = manualClock();
    sb = await startSandbox({ now: clock.now });
    const a = await rate(sb.url);
    clock.advance(100);
    expect(await rate(sb.url)).toBe(a);
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      clock.advance(1000);
      const v = await rate(sb.url);
      expect(Math.abs(v - 0.985)).toBeLessThanOrEqual(0.0021);
      seen.add(v);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('recovers on the real clock too, within a couple of seconds', async () => {
    sb = await startSandbox({ fault: 'stripe:down', transitionMs: 300 });
    expect(await rate(sb.url)).toBeLessThan(0.1);
    await call(`${sb.url}/hyperswitch/routing/default`, {
      method: 'POST',
      headers: { 'api-key': 'k' },
      json: order('adyen', 'stripe', 'braintree'),
    });
    const deadline = Date.now() + 10_000;
    let r = 0;
    while (Date.now() < deadline && (r = await rate(sb.url)) < 0.98) await new Promise((res) => setTimeout(res, 50));
    expect(r).toBeGreaterThan(0.98);
  });
});

describe('shares in the traffic simulation', () => {
  const split = (url: string, data: [string, number][]) =>
    call(`${url}/hyperswitch/routing`, {
      method: 'POST',
      headers: { 'api-key': 'k' },
      json: {
        name: 'split',
        algorithm: {
          type: 'volume_split',
          data: data.map(([p, s]) => ({ split: s, output: { connector: p, merchant_connector_id: `mca_sandbox_${p}` } })),
        },
      },
    });
  const byProvider = async (url: string, provider: string) => {
    const r = await call(
      `${url}/prometheus/api/v1/query?query=${encodeURIComponent(`sum(rate(payments_succeeded_total{provider="${provider}"}[1m])) / sum(rate(payments_attempted_total{provider="${provider}"}[1m]))`)}`,
    );
    return r.body.data.result[0].value[1] as string;
  };

  it("lowestSuccessRate: customers' lowest overall rate between two times, transitions included", async () => {
    const clock = manualClock();
    sb = await startSandbox({ now: clock.now, transitionMs: 2000, fault: 'stripe:silent' });
    const start = clock.now();
    // everything to adyen, then a 10% canary back to the silently failing stripe
    await call(`${sb.url}/hyperswitch/routing/default`, {
      method: 'POST',
      headers: { 'api-key': 'k' },
      json: order('adyen', 'stripe', 'braintree'),
    });
    clock.advance(3000);
    const canary = clock.now();
    const created = await split(sb.url, [
      ['stripe', 10],
      ['adyen', 90],
    ]);
    await call(`${sb.url}/hyperswitch/routing/${created.body.id}/activate`, { method: 'POST', headers: { 'api-key': 'k' } });
    clock.advance(5000);
    // before: stripe (silent, 80%) had everything at the start
    expect(sb.lowestSuccessRate(start, canary - 1)!.rate).toBeCloseTo(0.8, 2);
    // the canary: from ~98.5% down to 10% × 0.80 + 90% × 0.985 once the 2 s transition is over
    const during = sb.lowestSuccessRate(canary, clock.now())!;
    expect(during.rate).toBeGreaterThan(0.96);
    expect(during.rate).toBeLessThan(0.97);
    expect(Date.parse(during.at)).toBeGreaterThanOrEqual(canary + 2000);
    expect(sb.lowestSuccessRate(canary, canary - 1)).toBeUndefined();
  });

  it('sends each provider its share; each provider has its own rate; customers see the mix', async () => {
    const clock = manualClock();
    sb = await startSandbox({ now: clock.now, transitionMs: 2000, fault: 'stripe:degraded', ordersPerMinute: 6000 });
    expect(await byProvider(sb.url, 'adyen')).toBe('NaN'); // no payments go there yet: 0/0
    const created = await split(sb.url, [
      ['stripe', 10],
      ['adyen', 90],
    ]);
    expect(created.status).toBe(200);
    expect((await call(`${sb.url}/hyperswitch/routing/active`, { headers: { 'api-key': 'k' } })).body).toEqual([]); // created, not active
    await call(`${sb.url}/hyperswitch/routing/${created.body.id}/activate`, { method: 'POST', headers: { 'api-key': 'k' } });
    clock.advance(2500);
    expect(sb.state().traffic.shares).toEqual({ stripe: 0.1, adyen: 0.9 });
    expect(Number(await byProvider(sb.url, 'stripe'))).toBeCloseTo(0.8, 1);
    expect(Number(await byProvider(sb.url, 'adyen'))).toBeGreaterThan(0.98);
    const overall = await rate(sb.url);
    expect(overall).toBeGreaterThan(0.95); // 0.1 × 0.80 + 0.9 × 0.985
    expect(overall).toBeLessThan(0.975);

    // counters: attempts follow the shares
    const before = sb.state().requests;
    clock.advance(10_000);
    const text = (await call(`${sb.url}/metrics`)).text as string;
    const count = (name: string, p: string) => Number(new RegExp(`^${name}\\{provider="${p}"\\} (\\d+)$`, 'm').exec(text)![1]);
    // (stripe had all payments until the split, and more during its 2 s transition)
    expect(count('payments_attempted_total', 'adyen') / count('payments_attempted_total', 'stripe')).toBeGreaterThan(3);
    expect(count('payments_succeeded_total', 'stripe') / count('payments_attempted_total', 'stripe')).toBeLessThan(0.9);
    expect(sb.state().requests).toBe(before); // a scrape of /metrics is not an emulated API call: not logged

    // a split summing to other than 100 is refused, like the real API
    expect((await split(sb.url, [['stripe', 60]])).status).toBe(400);
  });
});

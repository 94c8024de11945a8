import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { call, manualClock } from './http.js';

let sb: SandboxHandle | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];

describe('provider status pages (Statuspage v2)', () => {
  it('serves summary.json shaped like a real page: page, components with a group, incidents, maintenances, status', async () => {
    sb = await startSandbox();
    const r = await call(`${sb.url}/status/stripe/api/v2/summary.json`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    const s = r.body;
    expect(Object.keys(s).sort()).toEqual(['components', 'incidents', 'page', 'scheduled_maintenances', 'status']);
    expect(s.page).toMatchObject({ id: expect.any(String), name: expect.any(String), url: expect.any(String), time_zone: 'Etc/UTC' });
    expect(s.status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    const names = s.components.map((c: any) => c.name);
    expect(names).toEqual(['Payments', 'API', 'Card payments', 'Dashboard']);
    const group = s.components.find((c: any) => c.group);
    expect(group.components).toEqual(['stripe-api', 'stripe-card-payments']);
    for (const c of s.components) {
      expect(STATUSES).toContain(c.status);
      if (!c.group && c.name !== 'Dashboard') expect(c.group_id).toBe(group.id);
    }
    expect(s.incidents).toEqual([]);
  });

  it('down: watched components major_outage, indicator critical, an unresolved incident created at injection time', async () => {
    const clock = manualClock();
    sb = await startSandbox({ now: clock.now, identifyAfterMs: 5000 });
    clock.advance(60_000);
    const injectedAt = new Date(clock.now()).toISOString();
    sb.injectFault('stripe:down');
    clock.advance(1000);
    const s = (await call(`${sb.url}/status/stripe/api/v2/summary.json`)).body;
    expect(s.status.indicator).toBe('critical');
    const byName = Object.fromEntries(s.components.map((c: any) => [c.name, c.status]));
    expect(byName).toEqual({ Payments: 'major_outage', API: 'major_outage', 'Card payments': 'major_outage', Dashboard: 'operational' });
    expect(s.incidents).toHaveLength(1);
    expect(s.incidents[0]).toMatchObject({ status: 'investigating', created_at: injectedAt, impact: 'critical', resolved_at: null });

    // a few seconds later the provider has identified it
    clock.advance(5000);
    const u = (await call(`${sb.url}/status/stripe/api/v2/incidents/unresolved.json`)).body;
    expect(u.incidents[0].status).toBe('identified');
    expect(u.incidents[0].incident_updates.map((x: any) => x.status)).toEqual(['identified', 'investigating']);
    expect(u.incidents[0].created_at).toBe(injectedAt);

    // other providers are untouched
    const adyen = (await call(`${sb.url}/status/adyen/api/v2/status.json`)).body;
    expect(adyen.status.indicator).toBe('none');

    // healed: no unresolved incident; incidents.json keeps it as resolved
    sb.heal('stripe');
    expect((await call(`${sb.url}/status/stripe/api/v2/incidents/unresolved.json`)).body.incidents).toEqual([]);
    const all = (await call(`${sb.url}/status/stripe/api/v2/incidents.json`)).body.incidents;
    expect(all[0]).toMatchObject({ status: 'resolved', created_at: injectedAt });
    expect(
      (await call(`${sb.url}/status/stripe/api/v2/components.json`)).body.components.every((c: any) => c.status === 'operational'),
    ).toBe(true);
  });

  it('degraded: degraded_performance, indicator minor, a minor incident', async () => {
    sb = await startSandbox({ fault: 'adyen:degraded' });
    const s = (await call(`${sb.url}/status/adyen/api/v2/summary.json`)).body;
    expect(s.status).toEqual({ indicator: 'minor', description: 'Partially Degraded Service' });
    expect(s.components.find((c: any) => c.name === 'Card payments').status).toBe('degraded_performance');
    expect(s.incidents[0].impact).toBe('minor');
  });

  it('lists an upcoming maintenance ~2 days ahead for every provider, and an active one under the maintenance fault', async () => {
    const clock = manualClock();
    sb = await startSandbox({ now: clock.now });
    for (const p of ['stripe', 'adyen', 'braintree']) {
      const up = (await call(`${sb.url}/status/${p}/api/v2/scheduled-maintenances/upcoming.json`)).body.scheduled_maintenances;
      expect(up).toHaveLength(1);
      expect(up[0].status).toBe('scheduled');
      const ahead = Date.parse(up[0].scheduled_for) - clock.now();
      expect(ahead).toBeGreaterThan(47 * 3600_000);
      expect(ahead).toBeLessThan(51 * 3600_000);
      expect(Date.parse(up[0].scheduled_until)).toBeGreaterThan(Date.parse(up[0].scheduled_for));
    }
    expect((await call(`${sb.url}/status/stripe/api/v2/scheduled-maintenances/active.json`)).body.scheduled_maintenances).toEqual([]);

    sb.injectFault('stripe:maintenance');
    const active = (await call(`${sb.url}/status/stripe/api/v2/scheduled-maintenances/active.json`)).body.scheduled_maintenances;
    expect(active).toHaveLength(1);
    expect(active[0].status).toBe('in_progress');
    const s = (await call(`${sb.url}/status/stripe/api/v2/summary.json`)).body;
    expect(s.status.indicator).toBe('maintenance');
    expect(s.components.find((c: any) => c.name === 'API').status).toBe('under_maintenance');
    expect(s.scheduled_maintenances.map((m: any) => m.status)).toEqual(['in_progress', 'scheduled']);
    expect(s.incidents).toEqual([]);
  });

  it('declines and rate_limit leave the status page operational (only your metrics show them)', async () => {
    sb = await startSandbox({ fault: 'stripe:declines,adyen:rate_limit' });
    for (const p of ['stripe', 'adyen']) {
      expect((await call(`${sb.url}/status/${p}/api/v2/status.json`)).body.status.indicator).toBe('none');
    }
  });

  it("silent: the page stays operational with no incident while the provider's payments fail", async () => {
    const clock = manualClock();
    sb = await startSandbox({ now: clock.now, fault: 'stripe:silent' });
    const s = (await call(`${sb.url}/status/stripe/api/v2/summary.json`)).body;
    expect(s.status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect(s.components.every((c: any) => c.status === 'operational')).toBe(true);
    expect(s.incidents).toEqual([]);
    expect((await call(`${sb.url}/status/stripe/api/v2/incidents.json`)).body.incidents).toEqual([]);
    const traffic = sb.state().traffic;
    expect(traffic.condition).toBe('silent');
    expect(traffic.observed_rate).toBeLessThan(0.85);
  });

  it('early_recovery=<d>: a partial outage and an incident for <d>, then recovery declared while payments still fail', async () => {
    const clock = manualClock();
    sb = await startSandbox({ now: clock.now, identifyAfterMs: 5000 });
    const injectedAt = new Date(clock.now()).toISOString();
    sb.injectFault('stripe:early_recovery=8s');
    clock.advance(6000);
    let s = (await call(`${sb.url}/status/stripe/api/v2/summary.json`)).body;
    expect(s.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(s.components.find((c: any) => c.name === 'Card payments').status).toBe('partial_outage');
    expect(s.incidents).toHaveLength(1);
    expect(s.incidents[0]).toMatchObject({ status: 'identified', impact: 'major', created_at: injectedAt, resolved_at: null });

    // the page declares recovery 8 s after injection; the fault is still there and payments still fail
    clock.advance(2000);
    s = (await call(`${sb.url}/status/stripe/api/v2/summary.json`)).body;
    expect(s.status.indicator).toBe('none');
    expect(s.components.every((c: any) => c.status === 'operational')).toBe(true);
    expect(s.incidents).toEqual([]);
    const all = (await call(`${sb.url}/status/stripe/api/v2/incidents.json`)).body.incidents;
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'resolved', resolved_at: new Date(Date.parse(injectedAt) + 8000).toISOString() });
    expect(all[0].incident_updates.map((u: any) => u.status)).toEqual(['resolved', 'identified', 'investigating']);
    expect(sb.faults().map((f) => f.spec)).toEqual(['stripe:early_recovery=8s']);
    expect(sb.state().traffic.per_provider.stripe!.observed_rate).toBeLessThan(0.85);

    // healed later: still one incident, resolved when the page said so
    clock.advance(10_000);
    sb.heal('stripe');
    const after = (await call(`${sb.url}/status/stripe/api/v2/incidents.json`)).body.incidents;
    expect(after).toHaveLength(1);
    expect(after[0].resolved_at).toBe(all[0].resolved_at);
  });

  it('uses the same fields as real captures (test/fixtures/statuspage)', async () => {
    const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/statuspage/${name}`, import.meta.url), 'utf8'));
    const real = fixture('instructure-summary.json');
    const keys = (o: object) => Object.keys(o).sort();
    sb = await startSandbox({ fault: 'stripe:down', identifyAfterMs: 0 });
    const s = (await call(`${sb.url}/status/stripe/api/v2/summary.json`)).body;
    expect(keys(s)).toEqual(keys(real));
    expect(keys(s.page)).toEqual(keys(real.page));
    expect(keys(s.components.find((c: any) => !c.group))).toEqual(keys(real.components.find((c: any) => !c.group)));
    expect(keys(s.components.find((c: any) => c.group))).toEqual(keys(real.components.find((c: any) => c.group)));
    const realIncident = real.incidents[0];
    for (const k of keys(realIncident)) expect(s.incidents[0]).toHaveProperty(k);
    for (const k of keys(realIncident.incident_updates[0])) expect(s.incidents[0].incident_updates[0]).toHaveProperty(k);
    const realMaintenance = fixture('discord-scheduled-maintenances.json').scheduled_maintenances[0];
    const m = (await call(`${sb.url}/status/stripe/api/v2/scheduled-maintenances/upcoming.json`)).body.scheduled_maintenances[0];
    for (const k of keys(realMaintenance)) expect(m).toHaveProperty(k);
  });

  it('answers 404 for an unknown provider or path, 405 for writes', async () => {
    sb = await startSandbox();
    expect((await call(`${sb.url}/status/nobody/api/v2/summary.json`)).status).toBe(404);
    expect((await call(`${sb.url}/status/stripe/api/v2/nothing.json`)).status).toBe(404);
    expect((await call(`${sb.url}/status/stripe/api/v2/summary.json`, { method: 'POST' })).status).toBe(405);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseIncidents,
  parseMaintenances,
  parseSummary,
  readMaintenanceWindows,
  readStatusPage,
  worstStatus,
} from '../../src/providers/statuspage.js';
import { createHttpClient } from '../../src/providers/http.js';
import { FIXTURES, sendJson, startServer, type TestServer } from './helpers.js';

const dir = join(FIXTURES, 'statuspage');
const load = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

describe('Statuspage v2 parsing (real captures)', () => {
  it('parses every capture in test/fixtures/statuspage to its status', () => {
    // the worst component status; "unknown" for the captures that list no components
    const expected: Record<string, string> = {
      'discord-incidents.json': 'unknown',
      'discord-scheduled-maintenances.json': 'unknown',
      'discord-status.json': 'unknown',
      'github-components-with-problem.json': 'partial_outage',
      'github-components.json': 'operational',
      'instructure-summary.json': 'degraded_performance',
      'lastpass-components.json': 'degraded_performance',
      'twilio-components.json': 'degraded_performance',
    };
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(expected).sort());
    for (const f of files) {
      const doc = load(f);
      const r = parseSummary(doc);
      expect(r.status, f).toBe(expected[f]);
      if (doc.incidents) expect(parseIncidents(doc.incidents).length, f).toBe(doc.incidents.length);
      if (doc.scheduled_maintenances)
        expect(parseMaintenances(doc.scheduled_maintenances).length, f).toBe(doc.scheduled_maintenances.length);
    }
  });

  it('instructure summary (AWS outage): minor indicator, degraded, identified incident', () => {
    const r = parseSummary(load('instructure-summary.json'));
    expect(r.indicator).toBe('minor');
    expect(r.status).toBe('degraded_performance');
    expect(r.incidents.map((i) => i.status)).toContain('identified');
  });

  it('a watched group name watches its children; the worst child wins', () => {
    const doc = load('instructure-summary.json');
    const group = doc.components.find((c: { group: boolean; name: string }) => c.group && c.name === 'Canvas');
    const r = parseSummary(doc, ['Canvas']);
    expect(r.components.length).toBe(group.components.length);
    expect(r.components.every((c) => c.group === 'Canvas')).toBe(true);
    expect(r.missing).toEqual([]);
  });

  it('github: all operational, then one partial_outage', () => {
    expect(parseSummary(load('github-components.json')).status).toBe('operational');
    const r = parseSummary(load('github-components-with-problem.json'));
    expect(r.status).toBe('partial_outage');
    expect(r.indicator).toBe('unknown'); // components.json has no page status
  });

  it('lastpass: degraded; twilio: degraded among many operational', () => {
    expect(parseSummary(load('lastpass-components.json')).status).toBe('degraded_performance');
    expect(parseSummary(load('twilio-components.json')).status).toBe('degraded_performance');
  });

  it('discord: resolved incidents are not "unresolved"; the completed maintenance parses', () => {
    expect(parseSummary(load('discord-incidents.json')).incidents).toEqual([]);
    const m = parseMaintenances(load('discord-scheduled-maintenances.json').scheduled_maintenances);
    expect(m[0]!.status).toBe('completed');
    expect(m[0]!.scheduled_for).toMatch(/^\d{4}-/);
    expect(parseSummary(load('discord-status.json')).indicator).toBe('none');
  });

  it('unknown statuses and indicators read as unknown, not a crash; a real outage still wins', () => {
    const doc = {
      status: { indicator: 'maintenance', description: '?' },
      components: [
        { id: 'a', name: 'API', status: 'on_fire' },
        { id: 'b', name: 'Card payments', status: 'operational' },
        { id: 'c', name: 'Dashboard', status: 42 },
        'garbage',
      ],
    };
    const r = parseSummary(doc, ['API', 'Card payments']);
    expect(r.status).toBe('unknown');
    expect(r.indicator).toBe('maintenance');
    expect(worstStatus(['unknown', 'major_outage', 'operational'])).toBe('major_outage');
    expect(parseSummary({ components: [{ name: 'API', status: 'major_outage' }] }, ['API', 'Nope'])).toMatchObject({
      status: 'major_outage',
      missing: [{ name: 'Nope', suggestions: [] }],
    });
    expect(parseSummary(null).status).toBe('unknown');
  });
});

describe('Statuspage v2 over HTTP', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer({
      '/api/v2/summary.json': (_r, res) => sendJson(res, 200, load('instructure-summary.json')),
      '/api/v2/scheduled-maintenances/upcoming.json': (_r, res) =>
        sendJson(res, 200, {
          scheduled_maintenances: [
            {
              name: 'DB upgrade',
              status: 'scheduled',
              scheduled_for: '2030-01-02T02:00:00Z',
              scheduled_until: '2030-01-02T04:00:00Z',
              components: [{ name: 'API' }],
            },
          ],
        }),
      '/api/v2/scheduled-maintenances/active.json': (_r, res) => sendJson(res, 200, { scheduled_maintenances: [] }),
      '/html/api/v2/summary.json': (_r, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Status moved</html>'),
    });
  });
  afterAll(() => srv.close());
  const http = createHttpClient({ timeoutMs: 2000, retries: 0 });

  it('reads summary.json', async () => {
    const r = await readStatusPage(http, { provider: 'stripe', baseUrl: srv.url + '/' });
    expect(r.status).toBe('degraded_performance');
  });

  it('reads upcoming and active maintenance', async () => {
    const m = await readMaintenanceWindows(http, { provider: 'stripe', baseUrl: srv.url });
    expect(m).toEqual([expect.objectContaining({ name: 'DB upgrade', components: ['API'] })]);
  });

  it('an HTML status page is named as such, with the provider', async () => {
    await expect(readStatusPage(http, { provider: 'adyen', baseUrl: `${srv.url}/html` })).rejects.toThrow(
      `adyen status page: GET ${srv.url}/html/api/v2/summary.json returned HTML, not JSON`,
    );
  });
});

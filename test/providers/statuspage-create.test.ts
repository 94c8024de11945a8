import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/providers/http.js';
import { upsertStatuspageIncident } from '../../src/providers/statuspage-manage.js';
import { sendJson, sendText, startServer, type TestServer } from './helpers.js';

// A create whose answer is lost (a 503 or a reset after the page made the incident) must not be
// POSTed again by the HTTP client: the step's own retry looks the first one up by its marker.
let srv: TestServer;
let posts = 0;
let updates = 0;
beforeAll(async () => {
  srv = await startServer();
  srv.route('GET /sp/pages/p1/incidents/unresolved', (_r, res) =>
    sendJson(res, 200, posts ? [{ id: 'inc-1', created_at: '2026-12-06T00:00:00Z', metadata: { payctl: { incident_id: 'pc-1' } } }] : []),
  );
  srv.route('POST /sp/pages/p1/incidents', (_r, res) => {
    posts++;
    sendText(res, 503, 'upstream timeout'); // the page made the incident, the answer says otherwise
  });
  srv.route('PATCH /sp/pages/p1/incidents/inc-1', (_r, res) => {
    updates++;
    sendJson(res, 200, { id: 'inc-1' });
  });
});
afterAll(() => srv.close());

describe('Statuspage create', () => {
  it('is sent once by the client; the next attempt finds the incident by its marker and updates it', async () => {
    const http = createHttpClient({ retries: 3, baseDelayMs: 1, sleep: async () => {} });
    const target = { channel: 'statuspage', baseUrl: `${srv.url}/sp`, pageId: 'p1', apiKey: 'k-123456789', deliverNotifications: true };
    const update = { name: 'Payment issues', body: 'We are on it', status: 'investigating' as const, components: {} };
    await expect(upsertStatuspageIncident(http, target, update, undefined, 'key-1', undefined, 'pc-1')).rejects.toThrow(/503/);
    expect(posts).toBe(1);
    const again = await upsertStatuspageIncident(http, target, update, undefined, 'key-1', undefined, 'pc-1');
    expect(again).toMatchObject({ id: 'inc-1', created: false, reused: true });
    expect(posts).toBe(1);
    expect(updates).toBe(1);
  });
});

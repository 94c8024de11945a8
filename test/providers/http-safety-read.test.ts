// The target's status page, read before a switch, is only a safety check: a
// page that rate-limits for days or never answers gets one short attempt,
// never holds the switch for more than a few seconds, and its failure is
// recorded in the result. The client is the one commands use (default
// timeout and retries), the servers are real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../../src/config/schema.js';
import { createHttpClient } from '../../src/providers/http.js';
import { switchTraffic, TARGET_STATUS_MS } from '../../src/providers/switch.js';
import { sendJson, sendText, startServer, type TestServer } from './helpers.js';

let srv: TestServer;
let order: { connector: string; merchant_connector_id: string }[];
let statusReads = 0;

beforeAll(async () => {
  srv = await startServer();
  srv.route('GET /hyperswitch/routing/default', (_r, res) => sendJson(res, 200, order));
  srv.route('POST /hyperswitch/routing/default', (r, res) => {
    order = r.json as typeof order;
    sendJson(res, 200, order);
  });
  srv.route('/limited/api/v2/summary.json', (_r, res) => {
    statusReads++;
    sendText(res, 429, 'rate limited', { 'retry-after': '999999' });
  });
  srv.route('/hung/api/v2/summary.json', () => {
    statusReads++; // accepts, never answers
  });
});
afterAll(() => srv.close());

function config(adyenPage: string) {
  return Config.parse({
    providers: {
      stripe: { kind: 'stripe', connector_id: 'mca_stripe' },
      adyen: { kind: 'adyen', statuspage: `${srv.url}/${adyenPage}`, connector_id: 'mca_adyen' },
    },
    routing: {
      primary: 'stripe',
      backups: ['adyen'],
      adapter: { type: 'hyperswitch', base_url: `${srv.url}/hyperswitch`, api_key: 'env:HS_KEY' },
    },
  });
}

async function failoverToAdyen(adyenPage: string) {
  order = [
    { connector: 'stripe', merchant_connector_id: 'mca_stripe' },
    { connector: 'adyen', merchant_connector_id: 'mca_adyen' },
  ];
  statusReads = 0;
  const logs: string[] = [];
  const t0 = Date.now();
  const out = await switchTraffic(
    {
      config: config(adyenPage),
      http: createHttpClient({ timeoutMs: 10_000, retries: 3 }),
      env: { HS_KEY: 'k' },
      log: (t) => logs.push(t),
    },
    { to: 'adyen', key: 'payctl-INC-1-failover', dryRun: false },
  );
  return { out, logs, ms: Date.now() - t0 };
}

describe('the target status read before a switch', () => {
  it('a page answering 429 with Retry-After: 999999 costs one attempt and does not hold the switch', async () => {
    const { out, logs, ms } = await failoverToAdyen('limited');
    expect(out.ok).toBe(true);
    expect(ms).toBeLessThan(TARGET_STATUS_MS);
    expect(statusReads).toBe(1);
    expect(order[0]!.connector).toBe('adyen');
    const result = out.ok ? out.result : undefined;
    expect(result?.target_status_error).toContain('→ HTTP 429: rate limited');
    expect(logs.join('\n')).toContain("warning: could not read adyen's status page");
  });

  it('a page that never answers holds the switch for one short attempt, not http.timeout × attempts', async () => {
    const { out, ms } = await failoverToAdyen('hung');
    expect(out.ok).toBe(true);
    expect(statusReads).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(TARGET_STATUS_MS - 100);
    expect(ms).toBeLessThan(TARGET_STATUS_MS + 3000);
    expect(out.ok && out.result.target_status_error).toContain(`did not answer within ${TARGET_STATUS_MS / 1000}s`);
  });
});

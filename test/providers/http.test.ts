import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import { createHttpClient, displayUrl, HttpError, retryAfterMs } from '../../src/providers/http.js';
import { sendPagerDutyEvent } from '../../src/providers/pagerduty.js';
import { registerSecret } from '../../src/secrets.js';
import { sendJson, sendText, startServer, type TestServer } from './helpers.js';

let srv: TestServer;
const sleeps: number[] = [];
const fastSleep = async (ms: number) => {
  sleeps.push(ms);
};

beforeAll(async () => {
  srv = await startServer();
});
afterAll(() => srv.close());

function client(o: Parameters<typeof createHttpClient>[0] = {}) {
  sleeps.length = 0;
  return createHttpClient({ timeoutMs: 2000, retries: 3, sleep: fastSleep, random: () => 0.5, ...o });
}

describe('http client', () => {
  it('retries 5xx with exponential backoff and the same Idempotency-Key, then succeeds', async () => {
    let n = 0;
    srv.route('/flaky', (_r, res) => (++n < 3 ? sendText(res, 503, 'busy') : sendJson(res, 200, { ok: true })));
    const res = await client().request<{ ok: boolean }>({
      service: 'test api',
      method: 'POST',
      url: `${srv.url}/flaky`,
      body: { a: 1 },
      idempotencyKey: 'payctl-INC-step',
    });
    expect(res.data.ok).toBe(true);
    expect(res.attempts).toBe(3);
    expect(sleeps).toEqual([188, 375]); // 250·2^(n-1), half fixed + half jitter (random 0.5)
    const keys = srv.requests.filter((r) => r.path === '/flaky').map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual(['payctl-INC-step', 'payctl-INC-step', 'payctl-INC-step']);
    expect(srv.requests.find((r) => r.path === '/flaky')!.headers['user-agent']).toMatch(/^payctl\/\d+\.\d+\.\d+/);
  });

  it('honours a short Retry-After in seconds and as an HTTP date; a long one ends the request at once', async () => {
    let n = 0;
    srv.route('/limited', (_r, res) => (++n === 1 ? sendText(res, 429, 'slow down', { 'retry-after': '2' }) : sendJson(res, 200, {})));
    await client().request({ service: 'test api', url: `${srv.url}/limited` });
    expect(sleeps).toEqual([2000]);
    srv.route('/limited-long', (_r, res) => sendText(res, 429, 'later', { 'retry-after': '3600' }));
    const before = srv.requests.length;
    const err = await client({ maxRetryAfterMs: 5000 })
      .request({ service: 'test api', url: `${srv.url}/limited-long` })
      .catch((e) => e);
    expect(sleeps).toEqual([]);
    expect(srv.requests.length - before).toBe(1);
    expect(err.message).toBe(
      `test api: GET ${srv.url}/limited-long → HTTP 429 (asked to retry after 3600s, longer than payctl waits): later`,
    );
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
  });

  it('gives up after the configured retries and says how many attempts', async () => {
    srv.route('/down', (_r, res) => sendText(res, 500, 'internal error'));
    const err = await client({ retries: 2 })
      .request({ service: 'test api', url: `${srv.url}/down` })
      .catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.message).toBe(`test api: GET ${srv.url}/down → HTTP 500 after 3 attempts: internal error`);
    expect(err.retryable).toBe(true);
  });

  it('does not retry other 4xx', async () => {
    srv.route('/bad', (_r, res) => sendJson(res, 400, { error: 'bad field' }));
    const before = srv.requests.length;
    const err = await client()
      .request({ service: 'test api', url: `${srv.url}/bad` })
      .catch((e) => e);
    expect(srv.requests.length - before).toBe(1);
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('HTTP 400: {"error":"bad field"}');
  });

  it('retries network errors (connection refused) and names the endpoint', async () => {
    const dead = await startServer();
    const url = dead.url;
    await dead.close();
    const err = await client({ retries: 1 })
      .request({ service: 'dead api', url: `${url}/x` })
      .catch((e) => e);
    expect(sleeps.length).toBe(1);
    expect(err.message).toContain(`dead api: GET ${url}/x failed: connection refused`);
  });

  it('bounds a server that never answers by the timeout (not retried)', async () => {
    srv.route('/hang', () => undefined); // accepts, never answers
    const t0 = Date.now();
    const err = await client({ timeoutMs: 300 })
      .request({ service: 'hung api', url: `${srv.url}/hang` })
      .catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err.message).toBe(`hung api: GET ${srv.url}/hang did not answer within 300ms`);
    expect(sleeps).toEqual([]);
  });

  it('stops when the caller aborts', async () => {
    srv.route('/hang2', () => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('step timeout')), 50);
    const err = await client({ timeoutMs: 10_000 })
      .request({ service: 'hung api', url: `${srv.url}/hang2`, signal: ac.signal })
      .catch((e) => e);
    expect(err.message).toContain('was cancelled (step timeout)');
  });

  it('names HTML and truncated JSON bodies', async () => {
    srv.route('/html', (_r, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body>Login</body></html>'),
    );
    srv.route('/trunc', (_r, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"page":{"id":"x"},"compo'));
    srv.route('/garbage', (_r, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('ok then'));
    const c = client();
    await expect(c.request({ service: 'stripe status page', url: `${srv.url}/html` })).rejects.toThrow(
      /stripe status page: GET .*\/html returned HTML, not JSON \(HTTP 200\)/,
    );
    await expect(c.request({ service: 'stripe status page', url: `${srv.url}/trunc` })).rejects.toThrow(
      /returned truncated JSON \(HTTP 200\): \{"page":\{"id":"x"\},"compo/,
    );
    await expect(c.request({ service: 'x', url: `${srv.url}/garbage` })).rejects.toThrow(/returned invalid JSON/);
  });

  it('never shows secret URLs, query secrets or registered values', async () => {
    registerSecret('s3cr3t-webhook-TOKEN-42');
    srv.route('/services/T0/B0/s3cr3t-webhook-TOKEN-42', (_r, res) => sendText(res, 404, 'channel_not_found'));
    const err = await client()
      .request({
        service: 'slack',
        method: 'POST',
        url: `${srv.url}/services/T0/B0/s3cr3t-webhook-TOKEN-42`,
        secretUrl: true,
        body: {},
        expect: 'text',
      })
      .catch((e) => e);
    expect(err.message).toBe(`slack: POST ${srv.url}/*** → HTTP 404: channel_not_found`);
    expect(displayUrl('https://api.example.com/q?api_key=abcdef&x=1')).toBe('https://api.example.com/q?api_key=***&x=1');
    expect(displayUrl('https://user:pw@example.com/a')).toBe('https://***@example.com/a');
  });

  it('dry run prints writes and sends nothing, but reads happen', async () => {
    srv.route('/read', (_r, res) => sendJson(res, 200, { v: 1 }));
    const lines: string[] = [];
    const c = client({ dryRun: true, log: (t) => lines.push(t) });
    const before = srv.requests.length;
    const w = await c.request({ service: 'x', method: 'POST', url: `${srv.url}/write`, body: { api_key: 'abcdefgh', msg: 'hi' } });
    expect(w.dryRun).toBe(true);
    expect(lines).toEqual([`[dry-run] would POST ${srv.url}/write {"api_key":"***","msg":"hi"}`]);
    const r = await c.request<{ v: number }>({ service: 'x', url: `${srv.url}/read` });
    expect(r.data.v).toBe(1);
    expect(srv.requests.length - before).toBe(1);
  });

  it('a failure trying again cannot fix is not retried, and says what to check', async () => {
    srv.route('/never', (_r, res) => sendJson(res, 200, {}));
    const err = await client({ retries: 3 })
      .request({ service: 'test api', url: `${srv.url}/never`, headers: { 'api-key': 'abc\n' } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.retryable).toBe(false);
    expect(sleeps).toEqual([]);
    expect(err.hint).toContain('trailing newline');
  });

  it('a Retry-After of days does not hold the request: it fails at once, in real time', async () => {
    srv.route('/status-429', (_r, res) => sendText(res, 429, 'rate limited', { 'retry-after': '999999' }));
    const t0 = Date.now();
    const err = await createHttpClient({ timeoutMs: 10_000, retries: 3 })
      .request({ service: 'adyen status page', url: `${srv.url}/status-429` })
      .catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(429);
    expect(err.message).toContain('asked to retry after 999999s');
  });

  it('retries and Retry-After waits together stay within timeout × attempts', async () => {
    srv.route('/always-busy', (_r, res) => sendText(res, 503, 'busy', { 'retry-after': '1' }));
    const before = srv.requests.length;
    const t0 = Date.now();
    // 300 ms × 4 attempts = 1.2 s: one wait of 1 s fits, a second does not
    const err = await createHttpClient({ timeoutMs: 300, retries: 3 })
      .request({ service: 'busy api', url: `${srv.url}/always-busy` })
      .catch((e) => e);
    const took = Date.now() - t0;
    expect(err.status).toBe(503);
    expect(srv.requests.length - before).toBe(2);
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(1200 + 1000); // the deadline, with room for a slow machine
  });

  it("leaves no abort listener behind on the caller's signal after waiting to retry", async () => {
    let n = 0;
    srv.route('/retry-once', (_r, res) => (++n === 1 ? sendText(res, 503, 'busy', { 'retry-after': '0' }) : sendJson(res, 200, {})));
    const ac = new AbortController();
    await createHttpClient({ timeoutMs: 2000, retries: 3 }).request({
      service: 'test api',
      url: `${srv.url}/retry-once`,
      signal: ac.signal,
    });
    expect(n).toBe(2);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('a write answered 307 to another origin fails naming the redirect, and its body never reaches that origin', async () => {
    const elsewhere = await startServer();
    try {
      elsewhere.route('/v2/enqueue', (_r, res) => sendJson(res, 202, { status: 'success', dedup_key: 'x' }));
      srv.route('/v2/enqueue', (_r, res) => res.writeHead(307, { location: `${elsewhere.url}/v2/enqueue?token=s3cret-query` }).end());
      const routingKey = 'R0UTINGKEY0123456789abcdef012345';
      const err = await sendPagerDutyEvent(
        client(),
        { channel: 'pagerduty', baseUrl: srv.url, routingKey },
        { action: 'trigger', dedupKey: 'INC-1', summary: 'cards failing' },
      ).catch((e) => e);
      expect(err).toBeInstanceOf(HttpError);
      expect(err.message).toBe(
        `pagerduty channel "pagerduty": POST ${srv.url}/v2/enqueue → HTTP 307 redirect to ${elsewhere.url}/v2/enqueue?token=***: not followed (a write is never redirected)`,
      );
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('a write answered 301, 302 or 303 is a failure, not a GET reported as posted', async () => {
    for (const status of [301, 302, 303]) {
      srv.route(`/moved-${status}`, (_r, res) => res.writeHead(status, { location: '/landing' }).end());
      srv.route('/landing', (_r, res) => sendJson(res, 200, { ok: true }));
      const before = srv.requests.filter((r) => r.path === '/landing').length;
      const err = await client()
        .request({ service: 'webhook', method: 'POST', url: `${srv.url}/moved-${status}`, body: { text: 'hi' } })
        .catch((e) => e);
      expect(err).toBeInstanceOf(HttpError);
      expect(err.status).toBe(status);
      expect(err.message).toContain(`HTTP ${status} redirect to ${srv.url}/landing: not followed`);
      expect(err.retryable).toBe(false);
      expect(srv.requests.filter((r) => r.path === '/landing').length).toBe(before);
    }
  });

  it('a read follows a redirect to another origin without the credentials', async () => {
    const elsewhere = await startServer();
    try {
      elsewhere.route('/summary.json', (_r, res) => sendJson(res, 200, { ok: true }));
      srv.route('/old-summary.json', (_r, res) => res.writeHead(301, { location: `${elsewhere.url}/summary.json` }).end());
      const res = await client().request<{ ok: boolean }>({
        service: 'status page',
        url: `${srv.url}/old-summary.json`,
        headers: { authorization: 'Bearer t-1', 'api-key': 'k-2' },
      });
      expect(res.data.ok).toBe(true);
      const landed = elsewhere.requests.at(-1)!;
      expect(landed.headers.authorization).toBeUndefined();
      expect(landed.headers['api-key']).toBeUndefined();
    } finally {
      await elsewhere.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, displayUrl, HttpError, retryAfterMs } from '../../src/providers/http.js';
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

  it('honours Retry-After in seconds and as an HTTP date, capped', async () => {
    let n = 0;
    srv.route('/limited', (_r, res) => (++n === 1 ? sendText(res, 429, 'slow down', { 'retry-after': '2' }) : sendJson(res, 200, {})));
    await client().request({ service: 'test api', url: `${srv.url}/limited` });
    expect(sleeps).toEqual([2000]);
    let m = 0;
    srv.route('/limited-long', (_r, res) => (++m === 1 ? sendText(res, 429, 'later', { 'retry-after': '3600' }) : sendJson(res, 200, {})));
    await client({ maxRetryAfterMs: 5000 }).request({ service: 'test api', url: `${srv.url}/limited-long` });
    expect(sleeps).toEqual([5000]);
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
});

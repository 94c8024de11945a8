// The wire layer (axios, src/providers/http-wire.ts) against real servers on
// 127.0.0.1: redirects (credentials never cross origins), compressed bodies,
// the size cap, the deadline, cancellation, and HTTP_PROXY / NO_PROXY through
// a real proxy. (https and https through a proxy: http-tls.test.ts.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { send, WireError } from '../../src/providers/http-wire.js';
import { redact } from '../../src/secrets.js';
import { createHttpClient, HttpError } from '../../src/providers/http.js';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.js';
import { sendJson, sendText, startServer, type TestServer } from './helpers.js';

let api: TestServer;
let other: TestServer;

beforeAll(async () => {
  api = await startServer();
  other = await startServer();
});
afterAll(async () => {
  await api.close();
  await other.close();
});

const secretHeaders = { 'api-key': 'k-123', authorization: 'Bearer t-456', accept: 'application/json', 'user-agent': 'payctl/test' };

describe('http wire (axios)', () => {
  it('follows a same-origin redirect with the same headers', async () => {
    api.route('/old', (_r, res) => res.writeHead(301, { location: '/new' }).end());
    api.route('/new', (r, res) => sendJson(res, 200, { seen: r.headers['api-key'] }));
    const res = await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: `${api.url}/old`, headers: secretHeaders });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ seen: 'k-123' });
    expect(res.url).toBe(`${api.url}/new`);
  });

  it('sends no credential to another origin on a redirect', async () => {
    api.route('/away', (_r, res) => res.writeHead(302, { location: `${other.url}/landing` }).end());
    other.route('/landing', (_r, res) => sendJson(res, 200, {}));
    await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: `${api.url}/away`, headers: secretHeaders });
    const landed = other.requests.find((r) => r.path === '/landing')!;
    expect(landed.headers['api-key']).toBeUndefined();
    expect(landed.headers.authorization).toBeUndefined();
    expect(landed.headers['user-agent']).toBe('payctl/test');
  });

  it('a write without followRedirects gets the 3xx itself: nothing is sent where it points', async () => {
    api.route('/see-other', (_r, res) => res.writeHead(303, { location: `${other.url}/result` }).end());
    api.route('/temp', (_r, res) => res.writeHead(307, { location: `${other.url}/result` }).end());
    const before = other.requests.length;
    const body = JSON.stringify({ routing_key: 'R0UTING-KEY-1234' });
    const a = await send({
      followRedirects: false,
      timeoutMs: 5000,
      method: 'POST',
      url: `${api.url}/see-other`,
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(a.status).toBe(303);
    const b = await send({
      followRedirects: false,
      timeoutMs: 5000,
      method: 'POST',
      url: `${api.url}/temp`,
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(b.status).toBe(307);
    expect(b.headers.location).toBe(`${other.url}/result`);
    expect(other.requests.length).toBe(before);
  });

  it('returns the 3xx itself when not following, and stops a redirect loop', async () => {
    api.route('/loop', (_r, res) => res.writeHead(302, { location: '/loop' }).end());
    const res = await send({ followRedirects: false, timeoutMs: 5000, method: 'GET', url: `${api.url}/loop` });
    expect(res.status).toBe(302);
    const err = await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: `${api.url}/loop` }).catch((e) => e);
    expect(err).toBeInstanceOf(WireError);
    expect(err.code).toBe('ERR_TOO_MANY_REDIRECTS');
  });

  it('decodes a gzip body and adds query parameters', async () => {
    api.route('/gz', (r, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        .end(gzipSync(JSON.stringify({ path: r.path }))),
    );
    const res = await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: `${api.url}/gz?a=1`, query: { b: 'x y' } });
    expect(JSON.parse(res.text)).toEqual({ path: '/gz?a=1&b=x+y' });
  });

  it('refuses a body over the cap', async () => {
    api.route('/big', (_r, res) => sendText(res, 200, 'x'.repeat(64 * 1024)));
    const err = await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: `${api.url}/big`, maxBodyBytes: 1024 }).catch(
      (e) => e,
    );
    expect(err.code).toBe('ERR_BODY_TOO_LARGE');
  });

  it('gives up at the deadline on a server that never answers, and on cancel', async () => {
    api.route('/hang', () => undefined);
    const t0 = Date.now();
    const err = await send({ followRedirects: true, method: 'GET', url: `${api.url}/hang`, timeoutMs: 200 }).catch((e) => e);
    expect(err.code).toBe('ETIMEDOUT');
    expect(Date.now() - t0).toBeLessThan(2000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stopped by the user')), 50);
    const cancelled = await send({
      followRedirects: true,
      timeoutMs: 5000,
      method: 'GET',
      url: `${api.url}/hang`,
      signal: ac.signal,
    }).catch((e) => e);
    expect(cancelled.code).toBe('ABORT_ERR');
    expect(cancelled.message).toBe('stopped by the user');
  });

  it('a header node refuses (a newline in a secret) fails at once, and nothing fires later', async () => {
    api.route('/h', (_r, res) => sendJson(res, 200, {}));
    const before = api.requests.length;
    const err = await send({
      followRedirects: true,
      timeoutMs: 100,
      method: 'GET',
      url: `${api.url}/h`,
      headers: { authorization: 'Bearer token\n' },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(WireError);
    expect(err.code).toBe('ERR_INVALID_CHAR');
    expect(err.message).not.toContain('token');
    await new Promise((r) => setTimeout(r, 250)); // past the deadline: the timer was cleared (an armed one would throw)
    expect(api.requests.length).toBe(before);
  });

  it('keeps a query string byte for byte when adding parameters; HEAD with an encoding has no body to decode', async () => {
    api.route('/q', (r, res) => sendJson(res, 200, { path: r.path }));
    const res = await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: `${api.url}/q?sig=a%20b~c`, query: { n: '1' } });
    expect(JSON.parse(res.text)).toEqual({ path: '/q?sig=a%20b~c&n=1' });
    api.route('/head', (_r, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' }).end());
    expect((await send({ followRedirects: true, timeoutMs: 5000, method: 'HEAD', url: `${api.url}/head` })).status).toBe(200);
  });

  it('a cancel that comes before the request is sent is honoured at once', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stopped early'));
    const t0 = Date.now();
    const err = await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: `${api.url}/hang`, signal: ac.signal }).catch(
      (e) => e,
    );
    expect(err.code).toBe('ABORT_ERR');
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('names an unsupported scheme and an invalid URL', async () => {
    expect((await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: 'ftp://example.com/x' }).catch((e) => e)).code).toBe(
      'ERR_UNSUPPORTED_PROTOCOL',
    );
    expect((await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: 'not a url' }).catch((e) => e)).code).toBe(
      'ERR_INVALID_URL',
    );
  });
});

describe('http wire through HTTP_PROXY', () => {
  let proxy: ForwardProxy;
  let proxyUrl: string;
  let proxied: string[];
  const saved = {
    HTTP_PROXY: process.env.HTTP_PROXY,
    NO_PROXY: process.env.NO_PROXY,
    http_proxy: process.env.http_proxy,
    no_proxy: process.env.no_proxy,
  };

  beforeAll(async () => {
    proxy = await startForwardProxy();
    proxyUrl = proxy.url;
    proxied = proxy.seen;
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  afterAll(() => proxy.close());

  it("treats the proxy's password as a secret: redacted from anything payctl prints", async () => {
    api.route('/via-auth', (_r, res) => sendJson(res, 200, { ok: true }));
    delete process.env.no_proxy;
    delete process.env.NO_PROXY;
    process.env.HTTP_PROXY = proxyUrl.replace('http://', 'http://ops:pr0xy-s3cret@');
    expect(redact('proxy http://ops:pr0xy-s3cret@host')).toContain('pr0xy-s3cret');
    await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: `${api.url}/via-auth` });
    expect(proxied.at(-1)).toBe(`${api.url}/via-auth`);
    expect(redact('proxy http://ops:pr0xy-s3cret@host')).toBe('proxy http://ops:***@host');
  });

  it('a proxy that cannot be reached is named as the problem, not the service', async () => {
    delete process.env.no_proxy;
    delete process.env.NO_PROXY;
    process.env.HTTP_PROXY = 'http://127.0.0.1:1';
    const err = await createHttpClient({ retries: 2, timeoutMs: 2000, sleep: async () => undefined })
      .request({ service: 'stripe status page', url: `${api.url}/via` })
      .catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.message).toBe(`stripe status page: GET ${api.url}/via failed: the proxy 127.0.0.1:1 refused the connection`);
    expect(err.hint).toContain('HTTPS_PROXY / HTTP_PROXY');
  });

  it('goes through the proxy, unless NO_PROXY names the host', async () => {
    api.route('/via', (_r, res) => sendJson(res, 200, { ok: true }));
    delete process.env.no_proxy;
    delete process.env.NO_PROXY;
    process.env.HTTP_PROXY = proxyUrl;
    const before = proxied.length;
    const res = await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: `${api.url}/via` });
    expect(JSON.parse(res.text)).toEqual({ ok: true });
    expect(proxied.slice(before)).toEqual([`${api.url}/via`]);

    process.env.NO_PROXY = '127.0.0.1';
    await send({ followRedirects: true, timeoutMs: 5000, method: 'GET', url: `${api.url}/via` });
    expect(proxied.slice(before)).toHaveLength(1);
  });
});

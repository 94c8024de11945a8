/**
 * One HTTP request on the wire, on node's own http/https modules. Everything
 * above it (retries, backoff, Retry-After, error wording, dry run, redaction)
 * is src/providers/http.ts; the playbook `http` step uses this directly.
 *
 * Why not a client library: a one-command failover is a fresh process that
 * makes three to five requests, and loading an HTTP library with its
 * dependency graph (redirects, multipart forms, http2, proxies) cost ~30 ms of
 * a ~100 ms budget on every start. What such a library does that payctl
 * needs is here, small: a deadline, a body size cap, redirects (credentials
 * are never sent to another origin), compressed bodies, keep-alive (node's
 * default agent), and HTTP(S)_PROXY / NO_PROXY (through the proxy-agent
 * packages, loaded only when a proxy applies). `https` is loaded only for
 * https URLs.
 */
import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { registerSecret } from '../secrets.js';

export interface WireRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Query parameters added to the URL. */
  query?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Whole request, redirects and body included; on expiry the error's code is ETIMEDOUT. */
  timeoutMs: number;
  /** Redirects followed (default 5); 0 returns the 3xx response itself. */
  maxRedirects?: number;
  /** Responses larger than this fail with ERR_BODY_TOO_LARGE (default 10 MB). */
  maxBodyBytes?: number;
}

export interface WireResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
  /** Where the response came from (after redirects). */
  url: string;
}

/** A failure before a response arrived; `code` is node's (ECONNREFUSED, …) or one of ours (ETIMEDOUT, ERR_…). */
export class WireError extends Error {
  readonly code: string;
  /** host:port of the proxy the request went through, when the failure may be the proxy's. */
  readonly proxy?: string;
  constructor(message: string, code: string, proxy?: string) {
    super(message);
    this.name = 'WireError';
    this.code = code;
    if (proxy) this.proxy = proxy;
  }
}

const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers kept when a redirect leaves the origin: nothing that could carry a credential. */
const CROSS_ORIGIN_SAFE = new Set(['accept', 'user-agent', 'content-type']);

export async function send(req: WireRequest): Promise<WireResponse> {
  let url = withQuery(req.url, req.query);
  let method = req.method.toUpperCase();
  let body = req.body;
  let headers = { ...(req.headers ?? {}) };
  const maxRedirects = req.maxRedirects ?? 5;
  const deadline = Date.now() + req.timeoutMs;
  for (let hop = 0; ; hop++) {
    const res = await once({
      method,
      url,
      headers,
      body,
      signal: req.signal,
      deadline,
      maxBodyBytes: req.maxBodyBytes ?? DEFAULT_MAX_BODY,
    });
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || !location || maxRedirects === 0) return res;
    if (hop >= maxRedirects) throw new WireError(`more than ${maxRedirects} redirects`, 'ERR_TOO_MANY_REDIRECTS');
    const from = new URL(url);
    const next = new URL(location, url);
    if (from.protocol === 'https:' && next.protocol !== 'https:')
      throw new WireError(
        `redirected from https to ${next.protocol.slice(0, -1)} (${next.origin}): not followed`,
        'ERR_REDIRECT_DOWNGRADE',
      );
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      if (method !== 'HEAD') method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type'));
    }
    if (next.origin !== from.origin)
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => CROSS_ORIGIN_SAFE.has(k.toLowerCase())));
    url = next.href;
  }
}

/** The URL with `query` added; a query string already in the URL is kept byte for byte (it may be signed). */
function withQuery(url: string, query?: Record<string, string>): string {
  const u = parseUrl(url);
  const added = new URLSearchParams(query ?? {}).toString();
  if (!added) return u.href;
  const base = u.href.slice(0, u.href.length - u.hash.length);
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}${added}${u.hash}`;
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new WireError(`invalid URL`, 'ERR_INVALID_URL');
  }
}

interface OneRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  deadline: number;
  maxBodyBytes: number;
}

async function once(r: OneRequest): Promise<WireResponse> {
  const u = parseUrl(r.url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new WireError(`unsupported protocol ${u.protocol} (use http or https)`, 'ERR_UNSUPPORTED_PROTOCOL');
  const mod = u.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const proxy = await proxyFor(u);
  const headers: Record<string, string> = { ...r.headers };
  if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
  const options: RequestOptions = { method: r.method, headers, ...(proxy ? { agent: proxy.agent } : {}) };
  // a failure to reach a proxy is the proxy's, not the service's
  const via = (e: WireError) =>
    proxy && !['ABORT_ERR', 'ETIMEDOUT'].includes(e.code) ? new WireError(`via proxy ${proxy.host}: ${e.message}`, e.code, proxy.host) : e;

  return new Promise<WireResponse>((resolve, reject) => {
    let request: ClientRequest | undefined;
    let settled = false;
    const finish = (err: WireError | undefined, value?: WireResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      r.signal?.removeEventListener('abort', onAbort);
      if (err) {
        request?.destroy();
        reject(via(err));
      } else resolve(value!);
    };
    const onAbort = () => finish(abortError(r.signal!));
    const remaining = Math.max(0, r.deadline - Date.now());
    const timer = setTimeout(() => finish(new WireError(`no answer within ${remaining} ms`, 'ETIMEDOUT')), remaining);
    if (r.signal?.aborted) return onAbort();
    r.signal?.addEventListener('abort', onAbort, { once: true });

    try {
      request = mod.request(u, options, (res) => {
        readBody(res, r.method, r.maxBodyBytes).then(
          (text) => finish(undefined, { status: res.statusCode ?? 0, headers: flatten(res), text, url: u.href }),
          (e: NodeJS.ErrnoException) => finish(e instanceof WireError ? e : new WireError(e.message, e.code ?? 'ERR_BODY')),
        );
      });
    } catch (e) {
      // node refuses some requests at once: a header value with a newline, an invalid method
      const err = e as NodeJS.ErrnoException;
      return finish(new WireError(err.message, err.code ?? 'ERR_INVALID_REQUEST'));
    }
    request.on('error', (e: NodeJS.ErrnoException) => finish(new WireError(e.message, e.code ?? 'ERR_NETWORK')));
    request.end(r.body);
  });
}

function abortError(signal: AbortSignal): WireError {
  const reason = signal.reason;
  return new WireError(reason instanceof Error ? reason.message : reason ? String(reason) : 'aborted', 'ABORT_ERR');
}

async function readBody(res: IncomingMessage, method: string, max: number): Promise<string> {
  const encoding = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  // HEAD, 204 and 304 have no body to decode, whatever their content-encoding says
  const bodiless = method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
  let stream: NodeJS.ReadableStream = res;
  if (!bodiless && (encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate' || encoding === 'br')) {
    const zlib = await import('node:zlib');
    const decoder = encoding === 'br' ? zlib.createBrotliDecompress() : encoding === 'deflate' ? zlib.createInflate() : zlib.createGunzip();
    res.on('error', (e) => decoder.destroy(e));
    stream = res.pipe(decoder);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > max) {
      res.destroy();
      throw new WireError(
        `response larger than ${max >= 1024 * 1024 ? `${Math.round(max / 1024 / 1024)} MB` : `${max} bytes`}`,
        'ERR_BODY_TOO_LARGE',
      );
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flatten(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];
const agents = new Map<string, Agent>();

/** The proxy for this URL from HTTP(S)_PROXY (NO_PROXY honoured): its agent and host:port, or none. */
async function proxyFor(u: URL): Promise<{ agent: Agent; host: string } | undefined> {
  if (!PROXY_VARS.some((v) => process.env[v])) return undefined;
  const { getProxyForUrl } = await import('proxy-from-env');
  const proxy = getProxyForUrl(u.href);
  if (!proxy) return undefined;
  let p: URL;
  try {
    p = new URL(proxy);
  } catch {
    throw new WireError('the proxy in HTTP_PROXY / HTTPS_PROXY is not a URL', 'ERR_INVALID_PROXY');
  }
  // a proxy's password is a secret like any other: never shown in an error
  if (p.password) {
    registerSecret(p.password);
    try {
      registerSecret(decodeURIComponent(p.password));
    } catch {
      // not %-encoded text: the raw form is registered
    }
  }
  const key = `${u.protocol}${proxy}`;
  let agent = agents.get(key);
  if (!agent) {
    agent =
      u.protocol === 'https:'
        ? new (await import('https-proxy-agent')).HttpsProxyAgent(proxy)
        : new (await import('http-proxy-agent')).HttpProxyAgent(proxy);
    agents.set(key, agent);
  }
  return { agent, host: p.host };
}

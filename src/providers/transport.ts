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
import type { Agent, IncomingMessage, RequestOptions } from 'node:http';
import { registerSecret } from '../secrets.js';

export interface WireRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Query parameters added to the URL. */
  query?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Whole request, body included; on expiry the error's code is ETIMEDOUT. */
  timeoutMs?: number;
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
  constructor(message: string, code: string) {
    super(message);
    this.name = 'WireError';
    this.code = code;
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
  const deadline = req.timeoutMs !== undefined ? Date.now() + req.timeoutMs : undefined;
  for (let hop = 0; ; hop++) {
    const res = await once({ method, url, headers, body, signal: req.signal, deadline, maxBodyBytes: req.maxBodyBytes ?? DEFAULT_MAX_BODY });
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || !location || maxRedirects === 0) return res;
    if (hop >= maxRedirects) throw new WireError(`more than ${maxRedirects} redirects`, 'ERR_TOO_MANY_REDIRECTS');
    const next = new URL(location, url);
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      if (method !== 'HEAD') method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type'));
    }
    if (next.origin !== new URL(url).origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => CROSS_ORIGIN_SAFE.has(k.toLowerCase())));
    url = next.href;
  }
}

function withQuery(url: string, query?: Record<string, string>): string {
  const u = parseUrl(url);
  for (const [k, v] of Object.entries(query ?? {})) u.searchParams.append(k, v);
  return u.href;
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
  deadline?: number;
  maxBodyBytes: number;
}

async function once(r: OneRequest): Promise<WireResponse> {
  const u = parseUrl(r.url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new WireError(`unsupported protocol ${u.protocol} (use http or https)`, 'ERR_UNSUPPORTED_PROTOCOL');
  if (r.signal?.aborted) throw abortError(r.signal);
  const mod = u.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const agent = await proxyAgentFor(u);
  const headers: Record<string, string> = { ...r.headers };
  if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
  const options: RequestOptions = { method: r.method, headers, ...(agent ? { agent } : {}) };

  return new Promise<WireResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, value?: WireResponse) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      r.signal?.removeEventListener('abort', onAbort);
      if (err) {
        request.destroy();
        reject(err);
      } else resolve(value!);
    };
    const onAbort = () => finish(abortError(r.signal!));
    const remaining = r.deadline !== undefined ? Math.max(0, r.deadline - Date.now()) : undefined;
    const timer = remaining !== undefined ? setTimeout(() => finish(new WireError(`no answer within ${remaining} ms`, 'ETIMEDOUT')), remaining) : undefined;
    r.signal?.addEventListener('abort', onAbort, { once: true });

    const request = mod.request(u, options, (res) => {
      readBody(res, r.maxBodyBytes).then(
        (text) => finish(undefined, { status: res.statusCode ?? 0, headers: flatten(res), text, url: u.href }),
        (e: Error) => finish(e),
      );
    });
    request.on('error', (e: NodeJS.ErrnoException) => finish(new WireError(e.message, e.code ?? 'ERR_NETWORK')));
    request.end(r.body);
  });
}

function abortError(signal: AbortSignal): WireError {
  const reason = signal.reason;
  return new WireError(reason instanceof Error ? reason.message : reason ? String(reason) : 'aborted', 'ABORT_ERR');
}

async function readBody(res: IncomingMessage, max: number): Promise<string> {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  let stream: NodeJS.ReadableStream = res;
  if (encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate' || encoding === 'br') {
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
      throw new WireError(`response larger than ${Math.round(max / 1024 / 1024)} MB`, 'ERR_BODY_TOO_LARGE');
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

/** The agent for HTTP(S)_PROXY when one applies to this URL (NO_PROXY honoured), else node's default. */
async function proxyAgentFor(u: URL): Promise<Agent | undefined> {
  if (!PROXY_VARS.some((v) => process.env[v])) return undefined;
  const { getProxyForUrl } = await import('proxy-from-env');
  const proxy = getProxyForUrl(u.href);
  if (!proxy) return undefined;
  // a proxy's password is a secret like any other: never shown in an error
  const password = parseUrl(proxy).password;
  if (password) {
    registerSecret(password);
    registerSecret(decodeURIComponent(password));
  }
  const key = `${u.protocol}${proxy}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = u.protocol === 'https:' ? new (await import('https-proxy-agent')).HttpsProxyAgent(proxy) : new (await import('http-proxy-agent')).HttpProxyAgent(proxy);
    agents.set(key, agent);
  }
  return agent;
}

/**
 * One HTTP request on the wire, through axios: the settings payctl relies on,
 * in one place. The policy above it (retries, Retry-After, deadlines, error
 * wording, dry run, redaction) is ./http.ts; the playbook `http` step calls
 * this directly. axios, and the proxy agents, load on the first request: a
 * command that makes none (`--help`, `incident list`) never loads them.
 *
 * What axios is asked to do:
 * - a deadline for the whole request, redirects and body included (`signal`
 *   with a timeout; axios's own `timeout` as well, for an idle socket);
 * - bodies capped (`maxContentLength` / `maxBodyLength`) and decompressed;
 * - redirects only when the caller allows them (reads): never to plain http
 *   from https, and no header that could carry a credential sent to another
 *   origin (`beforeRedirect`); a write passes `followRedirects: false` and
 *   gets the 3xx itself (`maxRedirects: 0`);
 * - every status is an answer (`validateStatus`): the caller words errors;
 * - HTTP(S)_PROXY / NO_PROXY: `proxy: false` and an agent from the proxy-agent
 *   packages, chosen per URL by proxy-from-env (axios's own proxy support does
 *   not tunnel https through CONNECT).
 */
import type { Agent } from 'node:http';
import type { AxiosError, AxiosResponse } from 'axios';
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
  /** Follow up to 5 redirects (reads); otherwise a 3xx is returned as it is. */
  followRedirects: boolean;
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

const MAX_REDIRECTS = 5;
const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
/** Headers kept when a redirect leaves the origin: nothing that could carry a credential. */
const SAFE_ACROSS_ORIGINS = new Set(['accept', 'accept-encoding', 'user-agent', 'content-type']);
/** Failures that happen while reaching a proxy: named as the proxy's. */
const PROXY_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH']);

export async function send(req: WireRequest): Promise<WireResponse> {
  const url = withQuery(req.url, req.query);
  refuseControlCharacters(req.headers);
  const [{ default: axios }, proxies] = await Promise.all([import('axios'), proxyRoutes()]);
  const first = proxies?.route(url);
  const deadline = AbortSignal.timeout(Math.max(1, req.timeoutMs));
  const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
  const maxBody = req.maxBodyBytes ?? DEFAULT_MAX_BODY;
  let res: AxiosResponse<ArrayBuffer>;
  try {
    res = await axios.request<ArrayBuffer>({
      method: req.method,
      url: url.href,
      headers: req.headers,
      data: req.body,
      signal,
      timeout: req.timeoutMs,
      transitional: { clarifyTimeoutError: true },
      responseType: 'arraybuffer',
      // bodies go out and come back as they are: payctl encodes and parses them itself
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxRedirects: req.followRedirects ? MAX_REDIRECTS : 0,
      beforeRedirect: (next, _response, previous) => {
        const from = new URL(previous.url);
        const to = new URL(String(next.href));
        if (from.protocol === 'https:' && to.protocol !== 'https:')
          throw new WireError(
            `redirected from https to ${to.protocol.slice(0, -1)} (${to.origin}): not followed`,
            'ERR_REDIRECT_DOWNGRADE',
          );
        if (to.origin !== from.origin) {
          const headers = next.headers as Record<string, unknown>;
          for (const name of Object.keys(headers)) if (!SAFE_ACROSS_ORIGINS.has(name.toLowerCase())) delete headers[name];
        }
        // the next hop may be on the other side of NO_PROXY
        if (proxies) next.agent = proxies.route(to)?.agent;
      },
      maxContentLength: maxBody,
      maxBodyLength: maxBody,
      decompress: true,
      proxy: false,
      ...(first ? { httpAgent: first.agent, httpsAgent: first.agent } : {}),
    });
  } catch (e) {
    throw wireError(e, req, deadline, maxBody, first?.host);
  }
  const text = Buffer.from(res.data ?? new ArrayBuffer(0)).toString('utf8');
  const finalUrl = (res.request as { res?: { responseUrl?: string } } | undefined)?.res?.responseUrl ?? url.href;
  return { status: res.status, headers: flatten(res.headers as Record<string, unknown>), text, url: finalUrl };
}

/** What went wrong, in WireError's codes: the caller's cancel, the deadline, a cap, a redirect, or node's own code. */
function wireError(e: unknown, req: WireRequest, deadline: AbortSignal, maxBody: number, proxy: string | undefined): WireError {
  if (req.signal?.aborted) {
    const reason: unknown = req.signal.reason;
    return new WireError(reason instanceof Error ? reason.message : reason ? String(reason) : 'aborted', 'ABORT_ERR');
  }
  const err = e as AxiosError & { cause?: unknown };
  if (deadline.aborted || err.code === 'ETIMEDOUT' || err.code === 'ECONNABORTED')
    return new WireError(`no answer within ${req.timeoutMs} ms`, 'ETIMEDOUT');
  if (err.cause instanceof WireError) return err.cause;
  if (err.code === 'ERR_FR_TOO_MANY_REDIRECTS') return new WireError(`more than ${MAX_REDIRECTS} redirects`, 'ERR_TOO_MANY_REDIRECTS');
  if (/maxContentLength|maxBodyLength/.test(err.message ?? '') || err.code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED') {
    return new WireError(
      `response larger than ${maxBody >= 1024 * 1024 ? `${Math.round(maxBody / 1024 / 1024)} MB` : `${maxBody} bytes`}`,
      'ERR_BODY_TOO_LARGE',
    );
  }
  const code = err.code ?? (err.cause as { code?: string } | undefined)?.code ?? 'ERR_NETWORK';
  if (proxy && PROXY_FAILURES.has(code)) return new WireError(`via proxy ${proxy}: ${err.message}`, code, proxy);
  return new WireError(err.message || code, code);
}

/**
 * A header value with a newline or another control character (a secret read
 * with its trailing newline) is refused, naming the header, not its value:
 * axios would strip the characters and send an altered credential.
 */
function refuseControlCharacters(headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) {
    if (hasControlCharacter(value))
      throw new WireError(`the ${name} header has a newline or another control character`, 'ERR_INVALID_CHAR');
  }
}

/** C0 controls but tab, and DEL. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/** The URL with `query` added; a query string already in the URL is kept byte for byte (it may be signed). */
function withQuery(url: string, query?: Record<string, string>): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new WireError('invalid URL', 'ERR_INVALID_URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new WireError(`unsupported protocol ${u.protocol} (use http or https)`, 'ERR_UNSUPPORTED_PROTOCOL');
  const added = new URLSearchParams(query ?? {}).toString();
  if (!added) return u;
  const base = u.href.slice(0, u.href.length - u.hash.length);
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return new URL(`${base}${sep}${added}${u.hash}`);
}

function flatten(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];
const agents = new Map<string, Agent>();

interface ProxyRoutes {
  /** The proxy for this URL (NO_PROXY honoured): its agent and host:port, or none. */
  route(u: URL): { agent: Agent; host: string } | undefined;
}

/** Proxy routing from the environment, or undefined when no proxy variable is set (nothing is loaded then). */
async function proxyRoutes(): Promise<ProxyRoutes | undefined> {
  if (!PROXY_VARS.some((v) => process.env[v])) return undefined;
  const [{ getProxyForUrl }, { HttpProxyAgent }, { HttpsProxyAgent }] = await Promise.all([
    import('proxy-from-env'),
    import('http-proxy-agent'),
    import('https-proxy-agent'),
  ]);
  return {
    route(u) {
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
        agent = u.protocol === 'https:' ? new HttpsProxyAgent(proxy) : new HttpProxyAgent(proxy);
        agents.set(key, agent);
      }
      return { agent, host: p.host };
    },
  };
}

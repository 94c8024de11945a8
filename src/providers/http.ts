/**
 * The one HTTP client every adapter uses (on the wire: ./transport.ts).
 *
 * - a deadline on every attempt (config http.timeout, 10 s by default);
 * - retries with exponential backoff and jitter on network errors, 420/429 and
 *   5xx, honouring Retry-After (seconds or an HTTP date, capped); other 4xx and
 *   timeouts are not retried (a provider that does not answer is not asked
 *   again, so a hung API costs one timeout, not four);
 * - errors name the service, the endpoint (secrets masked), the status and a
 *   short excerpt of the body; HTML and invalid/truncated JSON are named as such;
 * - dry run: writes are printed (method, masked endpoint, body) and not sent.
 */
import { OperationError, messageOf } from '../errors.js';
import { redact, redactDeep } from '../secrets.js';
import { parseDuration } from '../duration.js';
import type { Context } from '../context.js';
import { send, type WireResponse } from './transport.js';
import { packageVersion } from '../package-root.js';

const USER_AGENT = () => `payctl/${packageVersion()}`;

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  /** Who is called, for messages: "stripe status page", "slack channel \"slack\"". */
  service: string;
  method?: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** JSON body. */
  body?: unknown;
  query?: Record<string, string>;
  /** Sent as the Idempotency-Key header (the same on every retry). */
  idempotencyKey?: string;
  /** The URL itself is a secret (a Slack webhook): only its origin is ever shown. */
  secretUrl?: boolean;
  /** How to read a successful body: JSON (default) or plain text. */
  expect?: 'json' | 'text';
  signal?: AbortSignal;
  /** Turn an error response into a sentence (e.g. PagerDuty's errors list); default: a body excerpt. */
  describeError?: (status: number, text: string, json: unknown) => string | undefined;
  timeoutMs?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
  text: string;
  attempts: number;
  /** True when this was a write in a dry run: nothing was sent. */
  dryRun?: boolean;
}

export class HttpError extends OperationError {
  readonly service: string;
  readonly endpoint: string;
  readonly status?: number;
  /** Worth trying again later (network, 429, 5xx, timeout). */
  readonly retryable: boolean;
  constructor(message: string, o: { service: string; endpoint: string; status?: number; retryable: boolean; hint?: string }) {
    super(redact(message), o.hint ? redact(o.hint) : undefined);
    this.service = o.service;
    this.endpoint = o.endpoint;
    this.status = o.status;
    this.retryable = o.retryable;
  }
}

export interface HttpClientOptions {
  timeoutMs?: number;
  /** Retries after the first attempt (config http.retries, default 3). */
  retries?: number;
  /** Injectable so tests do not wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest Retry-After honoured; longer values are cut to this. */
  maxRetryAfterMs?: number;
  dryRun?: boolean;
  /** Where dry-run writes are printed. */
  log?: (text: string) => void;
}

export interface HttpClient {
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
  readonly timeoutMs: number;
  readonly dryRun: boolean;
  /** A client that shares settings but prints (instead of sending) writes. */
  withDryRun(dryRun: boolean, log?: (text: string) => void): HttpClient;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Network failures that trying again cannot fix, with what to do about each. */
const PERMANENT: Readonly<Record<string, string>> = {
  ENOTFOUND: 'check the URL in the config',
  ERR_INVALID_URL: 'check the URL in the config',
  ERR_UNSUPPORTED_PROTOCOL: 'check the URL in the config',
  ERR_TOO_MANY_REDIRECTS: 'check the URL in the config: it redirects in a loop',
  ERR_BODY_TOO_LARGE: 'check the URL in the config: it should point at the API, not a download',
  ERR_REDIRECT_DOWNGRADE: 'the service redirects to plain http: check the URL in the config',
  ERR_INVALID_CHAR:
    'a header value has a newline or another control character: check the env: variable it comes from (a trailing newline?)',
  ERR_HTTP_INVALID_HEADER_VALUE: 'a header value is empty or invalid: check the env: variable it comes from',
  ERR_INVALID_HTTP_TOKEN: 'a header name or the method is invalid: check the config',
  ERR_INVALID_REQUEST: 'node refused to send the request: check the URL and headers in the config',
  ERR_INVALID_PROXY: 'check HTTPS_PROXY / HTTP_PROXY (a URL such as http://proxy.internal:3128)',
};

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** The client for a command or step: timeout and retries from config `http`. */
export function httpClientFor(ctx: Context, o: { dryRun?: boolean; log?: (t: string) => void } = {}): HttpClient {
  const http = ctx.config().config.http;
  return createHttpClient({
    timeoutMs: parseDuration(http.timeout) ?? DEFAULT_TIMEOUT_MS,
    retries: http.retries,
    sleep: (ms, signal) => ctx.clock.sleep(ms, signal),
    dryRun: o.dryRun ?? ctx.dryRun,
    log: o.log ?? ((t) => ctx.out.info(t)),
  });
}

export function createHttpClient(opts: HttpClientOptions = {}): HttpClient {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = opts.retries ?? 3;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const baseDelay = opts.baseDelayMs ?? 250;
  const maxDelay = opts.maxDelayMs ?? 5_000;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 30_000;
  const dryRun = Boolean(opts.dryRun);
  const log = opts.log ?? (() => undefined);

  async function request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = req.method ?? 'GET';
    const endpoint = displayUrl(req.url, req.secretUrl);
    const headers: Record<string, string> = {
      accept: req.expect === 'text' ? 'text/plain, */*' : 'application/json',
      'user-agent': USER_AGENT(),
      ...req.headers,
    };
    if (req.body !== undefined) headers['content-type'] ??= 'application/json';
    if (req.idempotencyKey && method !== 'GET') headers['Idempotency-Key'] = req.idempotencyKey;

    if (dryRun && method !== 'GET' && method !== 'HEAD') {
      const body = req.body === undefined ? '' : ' ' + JSON.stringify(redactDeep(req.body));
      log(redact(`[dry-run] would ${method} ${endpoint}${body}`));
      return { status: 0, headers: {}, data: undefined as T, text: '', attempts: 0, dryRun: true };
    }

    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw cancelled(req, method, endpoint);
      const limit = req.timeoutMs ?? timeoutMs;
      let res: WireResponse;
      try {
        res = await send({
          method,
          url: req.url,
          headers,
          query: req.query,
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          signal: req.signal,
          timeoutMs: limit,
        });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'ETIMEDOUT') {
          throw new HttpError(`${req.service}: ${method} ${endpoint} did not answer within ${formatMs(limit)}`, {
            service: req.service,
            endpoint,
            retryable: true,
            hint: 'the service may be down or hanging; raise http.timeout in the config if it is just slow',
          });
        }
        if (req.signal?.aborted) throw cancelled(req, method, endpoint);
        const proxy = (e as { proxy?: string }).proxy;
        const hint = proxy && (code === 'ENOTFOUND' || code === 'ECONNREFUSED') ? PROXY_HINT : permanentFailureHint(code);
        const err = new HttpError(`${req.service}: ${method} ${endpoint} failed: ${networkMessage(e)}`, {
          service: req.service,
          endpoint,
          retryable: hint === undefined,
          hint,
        });
        if (hint !== undefined || attempt > retries) throw err;
        await sleep(backoff(attempt), req.signal);
        continue;
      }
      const { status, text, headers: resHeaders } = res;

      if (status >= 200 && status < 300) {
        const data = req.expect === 'text' ? text : parseJsonBody(text, resHeaders['content-type'], req, method, endpoint, status);
        return { status, headers: resHeaders, data: data as T, text, attempts: attempt };
      }
      const retryable = status === 429 || status === 420 || status >= 500;
      if (retryable && attempt <= retries) {
        const after = retryAfterMs(resHeaders['retry-after'], Date.now());
        await sleep(after !== undefined ? Math.min(after, maxRetryAfter) : backoff(attempt), req.signal);
        continue;
      }
      throw errorResponse(req, method, endpoint, status, text, resHeaders['content-type'], retryable, attempt);
    }
  }

  function backoff(attempt: number): number {
    const exp = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
    return Math.round(exp / 2 + random() * (exp / 2));
  }

  return {
    request,
    timeoutMs,
    dryRun,
    withDryRun: (d, l) => createHttpClient({ ...opts, dryRun: d, log: l ?? opts.log }),
  };
}

const PROXY_HINT =
  'the request goes through HTTPS_PROXY / HTTP_PROXY: check that proxy, or NO_PROXY for hosts that should be reached directly';

/** What to do about a request that failed for good (a code trying again cannot fix), else undefined. */
export function permanentFailureHint(code: string | undefined): string | undefined {
  return code !== undefined && Object.hasOwn(PERMANENT, code) ? PERMANENT[code] : undefined;
}

function cancelled(req: HttpRequest, method: string, endpoint: string): HttpError {
  const reason = req.signal?.reason;
  const why = reason instanceof Error ? reason.message : reason ? String(reason) : 'aborted';
  return new HttpError(`${req.service}: ${method} ${endpoint} was cancelled (${why})`, {
    service: req.service,
    endpoint,
    retryable: false,
  });
}

function parseJsonBody(
  text: string,
  contentType: string | undefined,
  req: HttpRequest,
  method: string,
  endpoint: string,
  status: number,
): unknown {
  if (text.trim() === '') return null;
  const problem = jsonProblem(text, contentType);
  if (problem.ok) return problem.value;
  throw new HttpError(`${req.service}: ${method} ${endpoint} returned ${problem.what} (HTTP ${status}): ${excerpt(text)}`, {
    service: req.service,
    endpoint,
    status,
    retryable: false,
    hint: problem.what.startsWith('HTML')
      ? 'the URL may point at a web page or a login/proxy page rather than the API'
      : 'the response was cut off or is not JSON; try again, and check the URL',
  });
}

type JsonParse = { ok: true; value: unknown } | { ok: false; what: string };

export function jsonProblem(text: string, contentType?: string): JsonParse {
  const t = text.trimStart();
  if (t.startsWith('<') || /text\/html/i.test(contentType ?? '')) return { ok: false, what: 'HTML, not JSON' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const truncated = /Unexpected end|Unterminated|end of JSON/i.test(messageOf(e));
    return { ok: false, what: truncated ? 'truncated JSON' : 'invalid JSON' };
  }
}

function errorResponse(
  req: HttpRequest,
  method: string,
  endpoint: string,
  status: number,
  text: string,
  contentType: string | undefined,
  retryable: boolean,
  attempts: number,
): HttpError {
  const parsed = jsonProblem(text, contentType);
  const json = parsed.ok ? parsed.value : undefined;
  const described = req.describeError?.(status, text, json);
  const detail = described ?? (text.trim() === '' ? '' : parsed.ok || !/^HTML/.test(parsed.what) ? excerpt(text) : 'an HTML page');
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  return new HttpError(`${req.service}: ${method} ${endpoint} → HTTP ${status}${tries}${detail ? `: ${detail}` : ''}`, {
    service: req.service,
    endpoint,
    status,
    retryable,
    hint: hintFor(status),
  });
}

function hintFor(status: number): string | undefined {
  if (status === 401 || status === 403) return 'the credentials were refused: check the env: variable named in the config';
  if (status === 404) return 'check the URL (and ids such as page_id) in the config';
  if (status === 429 || status === 420) return 'rate limited: wait a little and retry';
  return undefined;
}

/** A short one-line excerpt of a body, redacted. */
export function excerpt(text: string, max = 200): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return redact(one.length > max ? one.slice(0, max) + '…' : one);
}

/** Retry-After as milliseconds from now: delta seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The URL as shown in messages: secret URLs show their origin only; query secrets and user info masked. */
export function displayUrl(url: string, secretUrl = false): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return redact(url);
  }
  if (secretUrl) return `${u.origin}/***`;
  if (u.username || u.password) {
    u.username = '***';
    u.password = '';
  }
  for (const key of [...u.searchParams.keys()]) {
    if (/key|token|secret|signature|sig|password|auth/i.test(key)) u.searchParams.set(key, '***');
  }
  return redact(u.toString().replace(/%2A%2A%2A/g, '***'));
}

function networkMessage(e: unknown): string {
  const code = (e as { code?: string }).code;
  const proxy = (e as { proxy?: string }).proxy;
  const msg = messageOf(e);
  if (proxy && code === 'ECONNREFUSED') return `the proxy ${proxy} refused the connection`;
  if (proxy && code === 'ENOTFOUND') return `the proxy's host ${proxy} was not found`;
  if (code === 'ECONNREFUSED') return 'connection refused (is the service running and the URL right?)';
  if (code === 'ECONNRESET') return 'connection reset by the server';
  if (code === 'ENOTFOUND') return 'host not found';
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * The one HTTP client every adapter uses (on the wire: axios, ./http-wire.ts;
 * the wording of its errors: ./http-errors.ts).
 *
 * - a deadline on every attempt (config http.timeout, 10 s by default), and
 *   one on the whole request: its attempts, backoff and Retry-After waits
 *   together never take longer than http.timeout × attempts (at most 60 s);
 * - retries with exponential backoff and jitter on network errors, 420/429 and
 *   5xx, honouring Retry-After (seconds or an HTTP date) when it is short
 *   (≤ 10 s) and fits in what is left of the deadline; a longer one ends the
 *   request at once with the rate-limit error. Other 4xx and timeouts are not
 *   retried (a provider that does not answer is not asked again, so a hung
 *   API costs one timeout, not four);
 * - a write (anything but GET/HEAD) follows no redirect: a 3xx is an error
 *   naming where it pointed (its body is never re-sent elsewhere, and a
 *   301/302/303 never turns it into a GET that looks like success);
 * - errors name the service, the endpoint (secrets masked), the status and a
 *   short excerpt of the body; HTML and invalid/truncated JSON are named as such;
 * - dry run: writes are printed (method, masked endpoint, body) and not sent.
 */
import { redact, redactDeep } from '../secrets.js';
import { parseDuration } from '../duration.js';
import type { Context } from '../context.js';
import { send, type WireResponse } from './http-wire.js';
import { backoffDelay } from '../backoff.js';
import { systemClock } from '../clock.js';
import { packageVersion } from '../package-root.js';
import {
  cancelled,
  displayUrl,
  errorResponse,
  formatMs,
  HttpError,
  networkMessage,
  parseJsonBody,
  permanentFailureHint,
  PROXY_HINT,
  redirectedWrite,
} from './http-errors.js';

export { displayUrl, excerpt, HttpError, jsonProblem, permanentFailureHint } from './http-errors.js';

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

export interface HttpClientOptions {
  timeoutMs?: number;
  /** Retries after the first attempt (config http.retries, default 3). */
  retries?: number;
  /** The whole request (attempts and waits); default timeoutMs × attempts, at most MAX_REQUEST_MS. */
  deadlineMs?: number;
  /** Injectable so tests do not wait; `now` is the clock the deadline is kept on. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest Retry-After waited for; a longer one ends the request with its error. */
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
  /** A client with fewer retries or a shorter timeout (never more than this one's). */
  withLimits(limits: { retries?: number; timeoutMs?: number }): HttpClient;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** No request, whatever http.timeout and http.retries say, takes longer than this with its retries. */
export const MAX_REQUEST_MS = 60_000;
/** The longest Retry-After payctl waits for: a responder is waiting too. */
export const MAX_RETRY_AFTER_MS = 10_000;

/** The client for a command or step: timeout and retries from config `http`. */
export function httpClientFor(ctx: Context, o: { dryRun?: boolean; log?: (t: string) => void } = {}): HttpClient {
  const http = ctx.config().config.http;
  return createHttpClient({
    timeoutMs: parseDuration(http.timeout) ?? DEFAULT_TIMEOUT_MS,
    retries: http.retries,
    sleep: (ms, signal) => ctx.clock.sleep(ms, signal),
    now: () => ctx.clock.now().getTime(),
    dryRun: o.dryRun ?? ctx.dryRun,
    log: o.log ?? ((t) => ctx.out.info(t)),
  });
}

export function createHttpClient(opts: HttpClientOptions = {}): HttpClient {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = opts.retries ?? 3;
  const deadlineMs = opts.deadlineMs ?? Math.min(timeoutMs * (retries + 1), MAX_REQUEST_MS);
  const sleep = opts.sleep ?? systemClock.sleep;
  const now = opts.now ?? Date.now;
  const backoff = { baseMs: opts.baseDelayMs ?? 250, maxMs: opts.maxDelayMs ?? 5_000, random: opts.random ?? Math.random };
  const maxRetryAfter = opts.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS;
  const dryRun = Boolean(opts.dryRun);
  const log = opts.log ?? (() => undefined);

  async function request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = req.method ?? 'GET';
    const write = method !== 'GET' && method !== 'HEAD';
    const endpoint = displayUrl(req.url, req.secretUrl);
    const headers: Record<string, string> = {
      accept: req.expect === 'text' ? 'text/plain, */*' : 'application/json',
      'user-agent': USER_AGENT(),
      ...req.headers,
    };
    if (req.body !== undefined) headers['content-type'] ??= 'application/json';
    if (req.idempotencyKey && write) headers['Idempotency-Key'] = req.idempotencyKey;

    if (dryRun && write) {
      const body = req.body === undefined ? '' : ' ' + JSON.stringify(redactDeep(req.body));
      log(redact(`[dry-run] would ${method} ${endpoint}${body}`));
      return { status: 0, headers: {}, data: undefined as T, text: '', attempts: 0, dryRun: true };
    }

    const deadline = now() + Math.max(deadlineMs, req.timeoutMs ?? 0);
    /** Wait before the next attempt, if the wait and one more attempt fit before the deadline. */
    const waitFits = (ms: number) => now() + ms < deadline;
    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw cancelled(req, method, endpoint);
      const limit = Math.max(1, Math.min(req.timeoutMs ?? timeoutMs, deadline - now()));
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
          followRedirects: !write,
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
        const wait = backoffDelay(attempt, backoff);
        if (hint !== undefined || attempt > retries || !waitFits(wait)) throw err;
        await sleep(wait, req.signal);
        continue;
      }
      const { status, text, headers: resHeaders } = res;

      if (status >= 200 && status < 300) {
        const data = req.expect === 'text' ? text : parseJsonBody(text, resHeaders['content-type'], req, method, endpoint, status);
        return { status, headers: resHeaders, data: data as T, text, attempts: attempt };
      }
      if (write && status >= 300 && status < 400) throw redirectedWrite(req, method, endpoint, status, resHeaders.location);
      const retryable = status === 429 || status === 420 || status >= 500;
      if (retryable && attempt <= retries) {
        const after = retryAfterMs(resHeaders['retry-after'], now());
        const wait = after ?? backoffDelay(attempt, backoff);
        if (wait <= maxRetryAfter && waitFits(wait)) {
          await sleep(wait, req.signal);
          continue;
        }
        if (after !== undefined)
          throw errorResponse(
            req,
            method,
            endpoint,
            status,
            text,
            resHeaders['content-type'],
            retryable,
            attempt,
            `asked to retry after ${formatMs(after)}, longer than payctl waits`,
          );
      }
      throw errorResponse(req, method, endpoint, status, text, resHeaders['content-type'], retryable, attempt);
    }
  }

  return {
    request,
    timeoutMs,
    dryRun,
    withDryRun: (d, l) => createHttpClient({ ...opts, dryRun: d, log: l ?? opts.log }),
    withLimits: (l) =>
      createHttpClient({
        ...opts,
        retries: Math.min(retries, l.retries ?? retries),
        timeoutMs: Math.min(timeoutMs, l.timeoutMs ?? timeoutMs),
        deadlineMs: undefined,
      }),
  };
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

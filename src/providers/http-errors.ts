/**
 * How the HTTP client words what went wrong: the error class, one sentence per
 * failure (service, method, masked endpoint, status, a short body excerpt, the
 * redirect of a write), and what to do about it. Policy (when to retry, how
 * long to wait) is ./http.ts.
 */
import { OperationError, messageOf } from '../errors.js';
import { redact } from '../secrets.js';
import type { HttpRequest } from './http.js';

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

/** A write answered with a redirect: not followed (its body would go elsewhere, or become a GET). */
export function redirectedWrite(
  req: HttpRequest,
  method: string,
  endpoint: string,
  status: number,
  location: string | undefined,
): HttpError {
  let where = 'nowhere (no Location)';
  if (location) {
    try {
      where = displayUrl(new URL(location, req.url).href, req.secretUrl);
    } catch {
      where = redact(location);
    }
  }
  return new HttpError(
    `${req.service}: ${method} ${endpoint} → HTTP ${status} redirect to ${where}: not followed (a write is never redirected)`,
    {
      service: req.service,
      endpoint,
      status,
      retryable: false,
      hint: 'nothing was done there: point the URL in the config at where the service now answers',
    },
  );
}

export const PROXY_HINT =
  'the request goes through HTTPS_PROXY / HTTP_PROXY: check that proxy, or NO_PROXY for hosts that should be reached directly';

/** What to do about a request that failed for good (a code trying again cannot fix), else undefined. */
export function permanentFailureHint(code: string | undefined): string | undefined {
  return code !== undefined && Object.hasOwn(PERMANENT, code) ? PERMANENT[code] : undefined;
}

export function cancelled(req: HttpRequest, method: string, endpoint: string): HttpError {
  const reason = req.signal?.reason;
  const why = reason instanceof Error ? reason.message : reason ? String(reason) : 'aborted';
  return new HttpError(`${req.service}: ${method} ${endpoint} was cancelled (${why})`, {
    service: req.service,
    endpoint,
    retryable: false,
  });
}

export function parseJsonBody(
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

export function errorResponse(
  req: HttpRequest,
  method: string,
  endpoint: string,
  status: number,
  text: string,
  contentType: string | undefined,
  retryable: boolean,
  attempts: number,
  why?: string,
): HttpError {
  const parsed = jsonProblem(text, contentType);
  const json = parsed.ok ? parsed.value : undefined;
  const described = req.describeError?.(status, text, json);
  const detail = described ?? (text.trim() === '' ? '' : parsed.ok || !/^HTML/.test(parsed.what) ? excerpt(text) : 'an HTML page');
  const tries = (attempts > 1 ? ` after ${attempts} attempts` : '') + (why ? ` (${why})` : '');
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

export function networkMessage(e: unknown): string {
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

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

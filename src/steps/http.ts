/**
 * http: one request through axios (src/providers/http-wire.ts) with a timeout
 * (the step's, else 10 s); redirects are not followed: a 3xx is the step's
 * answer (so a write's body never goes to where a redirect points).
 * `expect_status` (default any 2xx); `capture` stores JSON fields of the
 * response (dot paths with [n]) in the step's result. A write (any method but
 * GET/HEAD) sends an Idempotency-Key header, the same on every retry and after
 * a resume, unless the playbook sets one. In a dry run GET/HEAD are performed
 * and writes are printed (method, URL, body), not sent.
 */
import type { StepHandler, StepRun } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import { requireDuration } from '../duration.js';
import { redactDeep, resolveSecret } from '../secrets.js';
import { send, type WireResponse } from '../providers/http-wire.js';
import { permanentFailureHint } from '../providers/http-errors.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const BODY_TAIL = 2000;

/** `data.items[0].id` → value, or undefined when any part is missing. */
export function getPath(value: unknown, path: string): unknown {
  const parts = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
  let cur: unknown = value;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.hasOwn(cur, p)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** A string body is sent as it is; anything else (a YAML mapping, list, number) as JSON. */
function encodeBody(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function withContentType(headers: Record<string, string>, body: unknown): Record<string, string> {
  if (body === undefined || Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) return headers;
  return { ...headers, 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' };
}

function statusOk(status: number, expect: number | number[] | undefined): boolean {
  if (expect === undefined) return status >= 200 && status < 300;
  return (Array.isArray(expect) ? expect : [expect]).includes(status);
}

/** The input whose value the step's URL is made of (the longest one it contains), if any. */
function inputBehind(scope: StepRun['scope'], url: string): string | undefined {
  const inputs = (scope.inputs ?? {}) as Record<string, unknown>;
  const hits = Object.entries(inputs).filter(([, v]) => typeof v === 'string' && v.length >= 4 && url.includes(v));
  hits.sort((a, b) => String(b[1]).length - String(a[1]).length);
  return hits[0]?.[0];
}

export const http: StepHandler<StepOf<'http'>> = async (run) => {
  const { step } = run;
  const method = step.method ?? 'GET';
  const write = method !== 'GET' && method !== 'HEAD';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.headers ?? {})) headers[k] = resolveSecret(v, `step ${step.id}, headers.${k}`, run.ctx.env);
  if (write && !Object.keys(headers).some((k) => k.toLowerCase() === 'idempotency-key')) headers['Idempotency-Key'] = run.idempotencyKey;
  const base = { method, url: step.url };
  if (run.dryRun && write) {
    run.log(`would send ${method} ${step.url}${step.body !== undefined ? ` ${JSON.stringify(redactDeep(step.body))}` : ''}`);
    return { outcome: 'ok', result: { ...base, dry_run: true, would_send: step.body ?? null }, message: 'dry run: not sent' };
  }
  const timeout = requireDuration(step.timeout, `step ${step.id}: timeout`, DEFAULT_TIMEOUT_MS);
  const t0 = Date.now();
  let res: WireResponse;
  try {
    res = await send({
      method,
      url: step.url,
      headers: withContentType(headers, step.body),
      body: encodeBody(step.body),
      timeoutMs: timeout,
      signal: run.signal,
      followRedirects: false,
    });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const why =
      err.code === 'ETIMEDOUT' ? `no answer within ${timeout / 1000}s` : `${err.code ?? 'error'}: ${err.message ?? 'request failed'}`;
    const known = permanentFailureHint(err.code);
    const from = inputBehind(run.scope, step.url);
    // a URL a person typed (or passed with --var) is fixed where it came from, not in the config
    const hint =
      known && from
        ? `the URL comes from input ${from} (${JSON.stringify(String((run.scope.inputs as Record<string, unknown>)[from]))}): fix it with payctl incident set ${run.incident.id} ${from}=<url>, then resume`
        : known;
    return {
      outcome: 'failed',
      error: `${method} ${step.url}: ${why}${hint ? ` (${hint})` : ''}`,
      retryable: hint === undefined,
      result: { ...base },
    };
  }
  const text = res.text;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const result: Record<string, unknown> = { ...base, status: res.status, duration_ms: Date.now() - t0 };
  if (!statusOk(res.status, step.expect_status)) {
    result.body = text.slice(0, BODY_TAIL);
    const expected = step.expect_status === undefined ? '2xx' : JSON.stringify(step.expect_status);
    return {
      outcome: 'failed',
      error: `${method} ${step.url} answered ${res.status} (expected ${expected})`,
      retryable: res.status >= 500 || res.status === 429,
      result,
    };
  }
  const captured: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(step.capture ?? {})) {
    const v = getPath(json, path);
    if (v === undefined) {
      result.body = text.slice(0, BODY_TAIL);
      return {
        outcome: 'failed',
        error: `capture ${name}: no "${path}" in the response${json === undefined ? ' (not JSON)' : ''}`,
        result,
      };
    }
    captured[name] = v;
  }
  for (const [k, v] of Object.entries(captured)) if (!(k in result)) result[k] = v;
  if (step.capture) result.captured = captured;
  return { outcome: 'ok', result, message: `${res.status}` };
};

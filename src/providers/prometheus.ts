/**
 * Prometheus HTTP API: GET {url}/api/v1/query?query=…
 * Envelope {status, data: {resultType, result}, errorType, error, warnings}.
 * Vector samples are [{metric, value: [t, "<string>"]}] and values may be
 * "NaN" or "+Inf"; scalars are [t, "<string>"]. 400 = bad parameters,
 * 422 = the expression cannot be executed, 503 = timed out or aborted.
 */
import { OperationError } from '../errors.js';
import type { HttpClient } from './http.js';

export interface Sample {
  labels: Record<string, string>;
  /** null for NaN, ±Inf or an unreadable value. */
  value: number | null;
  raw: string;
  at: number;
}

export interface QueryResult {
  resultType: string;
  samples: Sample[];
  warnings: string[];
}

const STATUS_MEANING: Record<number, string> = {
  400: 'bad query parameters',
  422: 'the expression cannot be executed',
  503: 'the query timed out or was aborted',
};

export function describePrometheusError(status: number, _text: string, json: unknown): string | undefined {
  const j = (json && typeof json === 'object' ? json : {}) as { errorType?: unknown; error?: unknown };
  const detail = typeof j.error === 'string' ? `${typeof j.errorType === 'string' ? j.errorType + ': ' : ''}${j.error}` : undefined;
  const meaning = STATUS_MEANING[status];
  if (!detail && !meaning) return undefined;
  return [meaning, detail].filter(Boolean).join(' — ');
}

export function parseSampleValue(raw: unknown): number | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

/** Parse a query envelope; throws on status "error" or an unknown shape. */
export function parseQueryEnvelope(doc: unknown, service: string): QueryResult {
  const d = (doc && typeof doc === 'object' ? doc : {}) as {
    status?: unknown;
    data?: unknown;
    errorType?: unknown;
    error?: unknown;
    warnings?: unknown;
  };
  const warnings = Array.isArray(d.warnings) ? d.warnings.map(String) : [];
  if (d.status === 'error') throw new OperationError(`${service}: query failed: ${d.errorType ?? 'error'}: ${d.error ?? 'no detail'}`);
  if (d.status !== 'success' || !d.data || typeof d.data !== 'object')
    throw new OperationError(`${service}: the answer is not a Prometheus query result (no status "success" with data)`);
  const data = d.data as { resultType?: unknown; result?: unknown };
  const type = String(data.resultType ?? 'unknown');
  const pair = (v: unknown): [number, unknown] => (Array.isArray(v) ? [Number(v[0]), v[1]] : [NaN, undefined]);
  if (type === 'scalar' || type === 'string') {
    const [at, raw] = pair(data.result);
    return { resultType: type, samples: [{ labels: {}, value: parseSampleValue(raw), raw: String(raw), at }], warnings };
  }
  if (type === 'vector') {
    const list = Array.isArray(data.result) ? data.result : [];
    const samples = list.map((s) => {
      const o = (s ?? {}) as { metric?: Record<string, string>; value?: unknown };
      const [at, raw] = pair(o.value);
      return { labels: o.metric ?? {}, value: parseSampleValue(raw), raw: String(raw), at };
    });
    return { resultType: type, samples, warnings };
  }
  if (type === 'matrix') {
    // the last point of each series
    const list = Array.isArray(data.result) ? data.result : [];
    const samples = list.map((s) => {
      const o = (s ?? {}) as { metric?: Record<string, string>; values?: unknown[] };
      const last = Array.isArray(o.values) ? o.values[o.values.length - 1] : undefined;
      const [at, raw] = pair(last);
      return { labels: o.metric ?? {}, value: parseSampleValue(raw), raw: String(raw), at };
    });
    return { resultType: type, samples, warnings };
  }
  throw new OperationError(`${service}: unsupported result type "${type}"`);
}

export async function queryPrometheus(
  http: HttpClient,
  baseUrl: string,
  query: string,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<QueryResult> {
  const service = 'prometheus';
  const res = await http.request<unknown>({
    service,
    url: `${baseUrl.replace(/\/+$/, '')}/api/v1/query`,
    query: { query },
    headers,
    signal,
    describeError: describePrometheusError,
  });
  return parseQueryEnvelope(res.data, service);
}

/** Fill $window and $provider into a configured PromQL query (Grafana-style variables). */
export function fillQuery(query: string, vars: { window?: string; provider?: string }): string {
  return query.replace(/\$window\b|\$\{window\}/g, vars.window ?? '5m').replace(/\$provider\b|\$\{provider\}/g, vars.provider ?? '.*');
}

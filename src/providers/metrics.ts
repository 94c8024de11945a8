/**
 * The configured metrics source (Prometheus or a file) behind one function:
 * the payment success rate, or the decline-code breakdown, over a window.
 */
import { resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { isSecretRef, resolveSecret } from '../secrets.js';
import type { Config } from '../config/schema.js';
import type { QueryMetricsResult } from '../timeline/results.js';
import type { HttpClient } from './http.js';
import { fillQuery, queryPrometheus } from './prometheus.js';
import { readMetricsFile } from './metrics-file.js';

export interface MetricRequest {
  metric: 'success_rate' | 'decline_codes';
  /** e.g. "5m" */
  window?: string;
  windowMs: number;
  provider?: string;
}

export interface MetricsDeps {
  config: Config;
  /** Directory relative metric file paths are resolved against. */
  configDir: string;
  http: HttpClient;
  env: NodeJS.ProcessEnv;
  now: () => Date;
}

export async function readMetric(
  deps: MetricsDeps,
  req: MetricRequest,
  signal?: AbortSignal,
): Promise<QueryMetricsResult & { warnings?: string[] }> {
  const m = deps.config.metrics;
  if (!m)
    throw new InvalidInputError(
      'no metrics source is configured (metrics:)',
      'add metrics: {type: prometheus, url, queries} or {type: file, path} to the config',
    );
  const base = { metric: req.metric, ...(req.provider ? { provider: req.provider } : {}) };
  if (m.type === 'file') {
    const r = await readMetricsFile(resolve(deps.configDir, m.path), req.windowMs, req.provider);
    return req.metric === 'success_rate'
      ? { ...base, value: r.success_rate, at: r.at ?? deps.now().toISOString() }
      : { ...base, value: null, breakdown: r.breakdown, at: r.at ?? deps.now().toISOString() };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {}))
    headers[k] = isSecretRef(v) ? resolveSecret(v, `metrics.headers.${k}`, deps.env) : v;
  const vars = { window: req.window, provider: req.provider };
  if (req.metric === 'success_rate') {
    const r = await queryPrometheus(deps.http, m.url, fillQuery(m.queries.success_rate, vars), headers, signal);
    const first = r.samples[0];
    const value = first?.value ?? null;
    const at = first && Number.isFinite(first.at) ? new Date(first.at * 1000).toISOString() : deps.now().toISOString();
    const warnings = [...r.warnings];
    if (first && first.value === null) warnings.push(`the success-rate query returned ${first.raw} (no traffic in the window?)`);
    if (!first) warnings.push('the success-rate query returned no samples');
    return {
      ...base,
      value: value !== null && value >= 0 && value <= 1 ? value : value === null ? null : clampWarn(value, warnings),
      at,
      ...(warnings.length ? { warnings } : {}),
    };
  }
  if (!m.queries.decline_codes)
    throw new InvalidInputError('metrics.queries.decline_codes is not configured', 'add a PromQL query returning a vector by decline code');
  const r = await queryPrometheus(deps.http, m.url, fillQuery(m.queries.decline_codes, vars), headers, signal);
  const breakdown: Record<string, number> = {};
  for (const s of r.samples) {
    const code = s.labels.code ?? s.labels.decline_code ?? Object.values(s.labels)[0] ?? 'unknown';
    if (s.value !== null) breakdown[code] = (breakdown[code] ?? 0) + s.value;
  }
  const at = r.samples[0] && Number.isFinite(r.samples[0].at) ? new Date(r.samples[0].at * 1000).toISOString() : deps.now().toISOString();
  return { ...base, value: null, breakdown, at, ...(r.warnings.length ? { warnings: r.warnings } : {}) };
}

function clampWarn(v: number, warnings: string[]): number | null {
  warnings.push(`the success-rate query returned ${v}, outside 0..1 (is it a percentage?)`);
  return v > 1 && v <= 100 ? v / 100 : null;
}

/** One provider's success rate and payments attempted over a window: what the canary reads. */
export interface ProviderSample {
  success_rate: number | null;
  /** null when the source cannot count attempts (no metrics.queries.attempts, or a file). */
  attempts: number | null;
  at: string;
  warnings: string[];
}

/** Why the configured metrics cannot judge a canary (per provider, with a minimum sample), or undefined when they can. */
export function canaryMetricsProblem(config: Config, minAttempts: number): string | undefined {
  const m = config.metrics;
  if (!m) return 'no metrics source is configured (metrics:), so the canary cannot read a success rate';
  if (m.type === 'prometheus' && !/\$provider\b|\$\{provider\}/.test(m.queries.success_rate)) {
    return 'metrics.queries.success_rate has no $provider, so the canary cannot read the rate of the provider receiving it (e.g. {provider=~"$provider"})';
  }
  if (minAttempts > 0 && (m.type === 'file' || !m.queries.attempts)) {
    return `the canary's minimum sample (${minAttempts} attempts) needs metrics.queries.attempts (PromQL for payments attempted over $window per $provider), or min_attempts: 0`;
  }
  return undefined;
}

export async function readProviderSample(
  deps: MetricsDeps,
  provider: string,
  windowMs: number,
  signal?: AbortSignal,
): Promise<ProviderSample> {
  const window = `${Math.max(1, Math.ceil(windowMs / 1000))}s`;
  const m = deps.config.metrics;
  const attemptsQuery = m?.type === 'prometheus' ? m.queries.attempts : undefined;
  const [rate, attempts] = await Promise.all([
    readMetric(deps, { metric: 'success_rate', window, windowMs, provider }, signal),
    attemptsQuery && m?.type === 'prometheus' ? readAttempts(deps, m, attemptsQuery, { window, provider }, signal) : Promise.resolve(null),
  ]);
  return { success_rate: rate.value, attempts, at: rate.at, warnings: rate.warnings ?? [] };
}

async function readAttempts(
  deps: MetricsDeps,
  m: Extract<NonNullable<Config['metrics']>, { type: 'prometheus' }>,
  query: string,
  vars: { window: string; provider: string },
  signal?: AbortSignal,
): Promise<number | null> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {}))
    headers[k] = isSecretRef(v) ? resolveSecret(v, `metrics.headers.${k}`, deps.env) : v;
  const r = await queryPrometheus(deps.http, m.url, fillQuery(query, vars), headers, signal);
  // no series: no payments went to the provider in the window
  return r.samples.length === 0 ? 0 : r.samples.reduce<number | null>((a, s) => (a === null || s.value === null ? null : a + s.value), 0);
}

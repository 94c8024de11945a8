/**
 * A health snapshot of every configured provider: status pages read
 * concurrently, plus the overall success rate, judged against config
 * thresholds. `payctl check` and `payctl providers` print it.
 */
import type { Config } from '../config/schema.js';
import { messageOf } from '../errors.js';
import type { HttpClient } from './http.js';
import { HttpError } from './http-errors.js';
import { checkProviderStatus, knownProvider, type ProviderStatusReport } from './provider-status.js';
import { readMetric } from './metrics.js';

export interface ProviderHealth extends Omit<ProviderStatusReport, 'status'> {
  /**
   * The page's status; unknown when it answered with something unreadable (or
   * none is configured); unreachable when it did not answer at all (no
   * connection, no DNS, a timeout): more likely our network than an outage.
   */
  status: ProviderStatusReport['status'] | 'unreachable';
  role: 'primary' | 'backup' | 'unused';
  enabled: boolean;
  healthy: boolean;
  /** Why the status could not be read. */
  error?: string;
}

export interface SuccessRateHealth {
  value: number | null;
  threshold: number;
  healthy: boolean;
  at?: string;
  error?: string;
  /** The metrics source did not answer at all (no connection, no DNS, a timeout): more likely our network. */
  unreachable?: boolean;
}

export interface DeclineShare {
  code: string;
  /** Share of payment attempts (0..1) declined with this code. */
  share: number;
}

export interface DeclineHealth {
  /** Share of attempts declined with any code (the failures: 1 - success rate). */
  rate: number | null;
  /** Codes by share, largest first. */
  top: DeclineShare[];
  at?: string;
  error?: string;
}

export interface HealthSnapshot {
  checked_at: string;
  healthy: boolean;
  providers: ProviderHealth[];
  success_rate: SuccessRateHealth | null;
  /** The top decline codes (metrics.queries.decline_codes, or a metrics file's codes); null when none are configured. */
  declines: DeclineHealth | null;
  /** Lines like "stripe: major_outage" naming what is unhealthy. */
  problems: string[];
}

export interface HealthDeps {
  config: Config;
  configDir: string;
  http: HttpClient;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  signal?: AbortSignal;
}

export function roleOf(config: Config, name: string): ProviderHealth['role'] {
  if (config.routing?.primary === name) return 'primary';
  if (config.routing?.backups.includes(name)) return 'backup';
  return config.routing ? 'unused' : 'primary';
}

export async function checkHealth(deps: HealthDeps, only?: string): Promise<HealthSnapshot> {
  const { config } = deps;
  if (only) knownProvider(config, only);
  const names = only ? [only] : Object.keys(config.providers);
  const unhealthy = new Set<string>(config.thresholds.unhealthy_statuses);

  const providerChecks = names.map(async (name): Promise<ProviderHealth> => {
    const p = config.providers[name]!;
    const base = { role: roleOf(config, name), enabled: p.enabled !== false };
    try {
      const r = await checkProviderStatus(deps.http, config, name, deps.signal);
      return { ...r, ...base, healthy: !base.enabled || !unhealthy.has(r.status) };
    } catch (e) {
      return {
        provider: name,
        status: unreachable(e) ? 'unreachable' : 'unknown',
        indicator: 'unknown',
        components: [],
        incidents: [],
        ...base,
        healthy: !base.enabled,
        error: messageOf(e),
      };
    }
  });
  const rateCheck = (async (): Promise<SuccessRateHealth | null> => {
    if (!config.metrics) return null;
    const threshold = config.thresholds.success_rate;
    try {
      const r = await readMetric(
        { config, configDir: deps.configDir, http: deps.http, env: deps.env, now: deps.now },
        { metric: 'success_rate', window: '5m', windowMs: 300_000 },
        deps.signal,
      );
      return { value: r.value, threshold, healthy: r.value === null || r.value >= threshold, at: r.at };
    } catch (e) {
      return { value: null, threshold, healthy: false, error: messageOf(e), ...(unreachable(e) ? { unreachable: true } : {}) };
    }
  })();
  const declineCheck = readDeclines(deps);
  const [providers, successRate, declineCounts] = await Promise.all([Promise.all(providerChecks), rateCheck, declineCheck]);
  const declines = declineShares(declineCounts, successRate);

  const problems: string[] = [];
  for (const p of providers) {
    if (p.healthy) continue;
    problems.push(
      p.error
        ? `${p.provider}: status page ${p.status === 'unreachable' ? 'unreachable' : 'unreadable'} (${p.error})`
        : `${p.provider}: ${p.status}`,
    );
  }
  if (successRate && !successRate.healthy) {
    problems.push(
      successRate.error
        ? `success rate unavailable (${successRate.error})`
        : `success rate ${pct(successRate.value)} is below ${pct(successRate.threshold)}`,
    );
  }
  return { checked_at: deps.now().toISOString(), healthy: problems.length === 0, providers, success_rate: successRate, declines, problems };
}

type DeclineCounts = { breakdown: Record<string, number>; at?: string } | { error: string } | null;

/** The decline-code breakdown over 5 minutes, when the metrics source has one (a Prometheus query, or a file). */
async function readDeclines(deps: HealthDeps): Promise<DeclineCounts> {
  const m = deps.config.metrics;
  if (!m || (m.type !== 'file' && !m.queries.decline_codes)) return null;
  try {
    const r = await readMetric(
      { config: deps.config, configDir: deps.configDir, http: deps.http, env: deps.env, now: deps.now },
      { metric: 'decline_codes', window: '5m', windowMs: 300_000 },
      deps.signal,
    );
    return { breakdown: r.breakdown ?? {}, at: r.at };
  } catch (e) {
    return { error: messageOf(e) };
  }
}

/**
 * Each code's share of attempts: the query counts failed attempts by code, so
 * a code's share of attempts is its share of the failures times the failure
 * rate (1 - success rate). Without a success rate there is no rate to scale by.
 */
export function declineShares(counts: DeclineCounts, rate: SuccessRateHealth | null): DeclineHealth | null {
  if (!counts) return null;
  if ('error' in counts) return { rate: null, top: [], error: counts.error };
  const failed = rate && rate.value !== null ? 1 - rate.value : null;
  const total = Object.values(counts.breakdown).reduce((a, b) => a + b, 0);
  if (failed === null)
    return { rate: null, top: [], at: counts.at, error: 'no success rate to turn decline counts into shares of attempts' };
  const top = Object.entries(counts.breakdown)
    .filter(([, n]) => n > 0)
    .map(([code, n]) => ({ code, share: total > 0 ? Math.round((failed * n * 10000) / total) / 10000 : 0 }))
    .sort((a, b) => b.share - a.share || a.code.localeCompare(b.code));
  return { rate: Math.round(failed * 10000) / 10000, top, ...(counts.at ? { at: counts.at } : {}) };
}

/** No answer at all (refused, reset, no DNS, a timeout): an HttpError without a status. */
function unreachable(e: unknown): boolean {
  return e instanceof HttpError && e.status === undefined;
}

/**
 * What did not answer, when every problem is a source that did not answer at
 * all (status pages, the metrics source): look at our own network first.
 * Undefined when anything was read as unhealthy.
 */
export function onlyUnreachable(snap: HealthSnapshot): { statusPages: boolean; metrics: boolean } | undefined {
  const bad = snap.providers.filter((p) => !p.healthy);
  const rate = snap.success_rate;
  const metrics = rate?.unreachable === true;
  if (bad.some((p) => p.status !== 'unreachable') || (rate && !rate.healthy && !metrics)) return undefined;
  return bad.length > 0 || metrics ? { statusPages: bad.length > 0, metrics } : undefined;
}

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(1)}%`;
}

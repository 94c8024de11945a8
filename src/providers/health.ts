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
}

export interface HealthSnapshot {
  checked_at: string;
  healthy: boolean;
  providers: ProviderHealth[];
  success_rate: SuccessRateHealth | null;
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
      return { value: null, threshold, healthy: false, error: messageOf(e) };
    }
  })();
  const [providers, successRate] = await Promise.all([Promise.all(providerChecks), rateCheck]);

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
  return { checked_at: deps.now().toISOString(), healthy: problems.length === 0, providers, success_rate: successRate, problems };
}

/** No answer at all (refused, reset, no DNS, a timeout): an HttpError without a status. */
function unreachable(e: unknown): boolean {
  return e instanceof HttpError && e.status === undefined;
}

/** Every problem is a status page that did not answer (the success rate, if read, is fine): look at our own network first. */
export function onlyUnreachable(snap: HealthSnapshot): boolean {
  const bad = snap.providers.filter((p) => !p.healthy);
  return bad.length > 0 && bad.every((p) => p.status === 'unreachable') && (snap.success_rate?.healthy ?? true);
}

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(1)}%`;
}

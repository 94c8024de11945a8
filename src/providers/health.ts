/**
 * A health snapshot of every configured provider: status pages read
 * concurrently, plus the overall success rate, judged against config
 * thresholds. `payctl check` and `payctl providers` print it.
 */
import type { Config } from '../config/schema.js';
import { messageOf } from '../errors.js';
import type { HttpClient } from './http.js';
import { checkProviderStatus, knownProvider, type ProviderStatusReport } from './provider-status.js';
import { readMetric } from './metrics.js';

export interface ProviderHealth extends ProviderStatusReport {
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
        status: 'unknown',
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
    problems.push(p.error ? `${p.provider}: status page unreadable (${p.error})` : `${p.provider}: ${p.status}`);
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

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(1)}%`;
}

/**
 * One provider's status from its configured status page, as the
 * CheckStatusResult recorded by check_status and shown by `payctl check`.
 */
import { InvalidInputError } from '../errors.js';
import type { Config } from '../config/schema.js';
import type { CheckStatusResult } from '../timeline/results.js';
import type { HttpClient } from './http.js';
import { readStatusPage, type MaintenanceWindow } from './statuspage.js';

export interface ProviderStatusReport extends CheckStatusResult {
  /** Watched component names that the page does not have. */
  missing?: string[];
  maintenances?: MaintenanceWindow[];
  /** The page has no statuspage URL configured. */
  unconfigured?: boolean;
}

export function knownProvider(config: Config, name: string): NonNullable<Config['providers'][string]> {
  const p = config.providers[name];
  if (!p) {
    const known = Object.keys(config.providers);
    throw new InvalidInputError(
      `unknown provider "${name}"`,
      known.length ? `configured providers: ${known.join(', ')}` : 'declare providers in payctl.config.yaml (providers:)',
    );
  }
  return p;
}

export async function checkProviderStatus(
  http: HttpClient,
  config: Config,
  name: string,
  signal?: AbortSignal,
): Promise<ProviderStatusReport> {
  const p = knownProvider(config, name);
  if (!p.statuspage) {
    return { provider: name, status: 'unknown', indicator: 'unknown', components: [], incidents: [], unconfigured: true };
  }
  const r = await readStatusPage(http, { provider: name, baseUrl: p.statuspage, components: p.components }, signal);
  return {
    provider: name,
    status: r.status,
    indicator: r.indicator,
    components: r.components.map((c) => ({ name: c.name, status: c.status })),
    incidents: r.incidents.map((i) => ({
      name: i.name,
      status: i.status,
      created_at: i.created_at,
      ...(i.shortlink ? { shortlink: i.shortlink } : {}),
    })),
    ...(r.missing.length ? { missing: r.missing } : {}),
    ...(r.maintenances.length ? { maintenances: r.maintenances } : {}),
  };
}

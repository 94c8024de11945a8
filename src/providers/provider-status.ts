/**
 * One provider's status from its configured status page, as the
 * CheckStatusResult recorded by check_status and shown by `payctl check` and
 * `payctl providers`: the one place that decides whether a page was read.
 * A page whose components are not a components list, or that lacks a watched
 * component, is unreadable (an error naming what is missing and the nearest
 * names on the page), never "healthy": it could hide an outage.
 */
import { InvalidInputError, OperationError } from '../errors.js';
import type { Config } from '../config/schema.js';
import type { CheckStatusResult } from '../timeline/results.js';
import type { HttpClient } from './http.js';
import { readStatusPage, type AmbiguousName, type MaintenanceWindow, type MissingName, type StatusPageReport } from './statuspage.js';

export interface ProviderStatusReport extends CheckStatusResult {
  /** The watched components; `group` names the component group a component belongs to. */
  components: { name: string; status: string; group?: string }[];
  maintenances?: MaintenanceWindow[];
  /** Warnings worth showing (a bare component name found in several groups). */
  warnings?: string[];
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
  const unreadable = unreadableReason(name, r);
  if (unreadable) throw new OperationError(unreadable.message, unreadable.hint);
  const components = r.components.map((c) => ({ name: c.name, status: c.status, ...(c.group ? { group: c.group } : {}) }));
  const warnings = r.ambiguous.map((a) => ambiguousWarning(name, a));
  return {
    provider: name,
    status: r.status,
    indicator: r.indicator,
    components,
    incidents: r.incidents.map((i) => ({
      name: i.name,
      status: i.status,
      created_at: i.created_at,
      ...(i.shortlink ? { shortlink: i.shortlink } : {}),
      ...(i.components?.length ? { components: i.components } : {}),
    })),
    ...(r.maintenances.length ? { maintenances: r.maintenances } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}

/** Why the page cannot be trusted for this provider's health, or undefined when it can. */
export function unreadableReason(
  provider: string,
  r: Pick<StatusPageReport, 'missing' | 'malformed'>,
): { message: string; hint: string } | undefined {
  if (r.malformed) {
    return {
      message: `${provider} status page: not a Statuspage summary: ${r.malformed}`,
      hint: `check providers.${provider}.statuspage in payctl.config.yaml points at a Statuspage page`,
    };
  }
  if (r.missing.length) {
    return {
      message: `${provider} status page has no component ${r.missing.map(describeMissing).join('; ')}`,
      hint: `fix providers.${provider}.components in payctl.config.yaml (a component name, "Group/Name" or an id, as the page spells it)`,
    };
  }
  return undefined;
}

function describeMissing(m: MissingName): string {
  return `"${m.name}"${m.suggestions.length ? ` (did you mean ${m.suggestions.map((s) => `'${s}'`).join(' or ')}?)` : ''}`;
}

export function ambiguousWarning(provider: string, a: AmbiguousName): string {
  const shown = a.groups.slice(0, 5).join(', ') + (a.groups.length > 5 ? `, … (${a.groups.length} groups)` : '');
  return `${provider}: component "${a.name}" is in ${a.groups.length} groups (${shown}); all are watched. Name one as "${a.groups[0]}/${a.name}" (or by id) in providers.${provider}.components`;
}

/**
 * Atlassian Statuspage v2 public API: a provider's component statuses,
 * unresolved incidents and maintenance windows.
 *
 * Parsing is defensive: real pages carry values we do not know (an indicator
 * "maintenance", new component statuses); those read as "unknown", never crash.
 * The provider's status is the worst of its watched components. A watched name
 * is a component's name, a group's name (its children are watched), "Group/Name"
 * (one component of one group, for pages that repeat a name under several
 * groups) or a component or group id. A name the page does not have, or a
 * components list that is not one, is reported (missing, malformed): the
 * caller treats the page as unreadable, never as healthy.
 */
import { PROVIDER_STATUSES } from '../playbook/enums.js';
import type { ProviderStatus } from '../playbook/schema.js';
import { cleanText } from '../control-chars.js';
import { watchedComponents, type AmbiguousName, type MissingName } from './statuspage-components.js';
import { HttpError, type HttpClient } from './http.js';

export type StatusOrUnknown = ProviderStatus | 'unknown';

export { watchedComponents, type AmbiguousName, type MissingName, type WatchedComponents } from './statuspage-components.js';

export interface ComponentStatus {
  name: string;
  status: string;
  /** The component group it belongs to, when it has one. */
  group?: string;
  id?: string;
}

export interface PageIncident {
  name: string;
  status: string;
  impact?: string;
  created_at: string;
  shortlink?: string;
  /** Names of the components it affects, when the page lists them. */
  components?: string[];
}

export interface MaintenanceWindow {
  name: string;
  status: string;
  scheduled_for: string | null;
  scheduled_until: string | null;
  impact?: string;
  shortlink?: string;
  components: string[];
}

export interface StatusPageReport {
  status: StatusOrUnknown;
  /** Page indicator: none, minor, major, critical (or whatever the page said). */
  indicator: string;
  description?: string;
  /** The watched components (all non-group components when none are configured). */
  components: ComponentStatus[];
  incidents: PageIncident[];
  maintenances: MaintenanceWindow[];
  /** Watched names not found on the page, with the page's nearest names. */
  missing: MissingName[];
  /** Bare watched names that match components in several groups (all are watched). */
  ambiguous: AmbiguousName[];
  /** Why the document is not a Statuspage summary (its components cannot be read). */
  malformed?: string;
}

/** Severity order: a higher rank is worse. Unknown sits above healthy, below any real problem. */
const RANK: Record<StatusOrUnknown, number> = {
  operational: 0,
  under_maintenance: 1,
  unknown: 2,
  degraded_performance: 3,
  partial_outage: 4,
  major_outage: 5,
};

export function normaliseStatus(s: unknown): StatusOrUnknown {
  return typeof s === 'string' && (PROVIDER_STATUSES as readonly string[]).includes(s) ? (s as ProviderStatus) : 'unknown';
}

export function worstStatus(statuses: StatusOrUnknown[]): StatusOrUnknown {
  if (statuses.length === 0) return 'unknown';
  return statuses.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function parseIncidents(raw: unknown): PageIncident[] {
  return arr(raw).map((x) => {
    const i = obj(x);
    return {
      name: cleanText(str(i.name) ?? '(untitled incident)'),
      status: cleanText(str(i.status) ?? 'unknown'),
      ...(str(i.impact) ? { impact: cleanText(str(i.impact)!) } : {}),
      created_at: cleanText(str(i.created_at) ?? str(i.started_at) ?? ''),
      ...(str(i.shortlink) ? { shortlink: cleanText(str(i.shortlink)!) } : {}),
      ...(Array.isArray(i.components)
        ? {
            components: arr(i.components)
              .map((c) => cleanText(str(obj(c).name) ?? ''))
              .filter(Boolean),
          }
        : {}),
    };
  });
}

export function parseMaintenances(raw: unknown): MaintenanceWindow[] {
  return arr(raw).map((x) => {
    const m = obj(x);
    return {
      name: cleanText(str(m.name) ?? '(untitled maintenance)'),
      status: cleanText(str(m.status) ?? 'unknown'),
      scheduled_for: str(m.scheduled_for) ?? null,
      scheduled_until: str(m.scheduled_until) ?? null,
      ...(str(m.impact) ? { impact: cleanText(str(m.impact)!) } : {}),
      ...(str(m.shortlink) ? { shortlink: cleanText(str(m.shortlink)!) } : {}),
      components: arr(m.components)
        .map((c) => cleanText(str(obj(c).name) ?? ''))
        .filter(Boolean),
    };
  });
}

/** A summary.json (or components.json) document as a report on the watched components. */
export function parseSummary(doc: unknown, watched?: string[]): StatusPageReport {
  const d = obj(doc);
  const { components, missing, ambiguous, malformed } = watchedComponents(d.components, watched);
  const statuses = components.map((c) => normaliseStatus(c.status));
  if (missing.length || malformed) statuses.push('unknown');
  const st = obj(d.status);
  return {
    status: worstStatus(statuses),
    indicator: cleanText(str(st.indicator) ?? 'unknown'),
    ...(str(st.description) ? { description: cleanText(str(st.description)!) } : {}),
    components,
    incidents: parseIncidents(d.incidents).filter((i) => i.status !== 'resolved' && i.status !== 'postmortem'),
    maintenances: parseMaintenances(d.scheduled_maintenances),
    missing,
    ambiguous,
    ...(malformed ? { malformed } : {}),
  };
}

export interface StatusPageTarget {
  /** Provider name, for messages. */
  provider: string;
  /** Page base URL, e.g. https://status.stripe.com */
  baseUrl: string;
  components?: string[];
}

function apiUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/v2/${path}`;
}

/** GET summary.json: components, page status, unresolved incidents, upcoming/in-progress maintenance. */
export async function readStatusPage(http: HttpClient, t: StatusPageTarget, signal?: AbortSignal): Promise<StatusPageReport> {
  const res = await http.request({ service: `${t.provider} status page`, url: apiUrl(t.baseUrl, 'summary.json'), signal });
  if (!res.data || typeof res.data !== 'object') {
    throw new HttpError(
      `${t.provider} status page: summary.json is not a Statuspage summary (got ${JSON.stringify(res.data)?.slice(0, 80)})`,
      {
        service: `${t.provider} status page`,
        endpoint: apiUrl(t.baseUrl, 'summary.json'),
        status: res.status,
        retryable: false,
      },
    );
  }
  return parseSummary(res.data, t.components);
}

export async function readUnresolvedIncidents(http: HttpClient, t: StatusPageTarget, signal?: AbortSignal): Promise<PageIncident[]> {
  const res = await http.request({ service: `${t.provider} status page`, url: apiUrl(t.baseUrl, 'incidents/unresolved.json'), signal });
  return parseIncidents(obj(res.data).incidents);
}

/** Upcoming and active maintenance windows (two requests, concurrently), de-duplicated. */
export async function readMaintenanceWindows(http: HttpClient, t: StatusPageTarget, signal?: AbortSignal): Promise<MaintenanceWindow[]> {
  const service = `${t.provider} status page`;
  const [upcoming, active] = await Promise.all([
    http.request({ service, url: apiUrl(t.baseUrl, 'scheduled-maintenances/upcoming.json'), signal }),
    http.request({ service, url: apiUrl(t.baseUrl, 'scheduled-maintenances/active.json'), signal }),
  ]);
  const all = [
    ...parseMaintenances(obj(active.data).scheduled_maintenances),
    ...parseMaintenances(obj(upcoming.data).scheduled_maintenances),
  ];
  const seen = new Set<string>();
  return all.filter((m) => {
    const k = `${m.name}|${m.scheduled_for}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

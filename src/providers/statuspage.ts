/**
 * Atlassian Statuspage v2 public API: a provider's component statuses,
 * unresolved incidents and maintenance windows.
 *
 * Parsing is defensive: real pages carry values we do not know (an indicator
 * "maintenance", new component statuses); those read as "unknown", never crash.
 * The provider's status is the worst of its watched components; a watched name
 * that is a component group watches the group's children.
 */
import { PROVIDER_STATUSES } from '../playbook/enums.js';
import type { ProviderStatus } from '../playbook/schema.js';
import { HttpError, type HttpClient } from './http.js';

export type StatusOrUnknown = ProviderStatus | 'unknown';

export interface ComponentStatus {
  name: string;
  status: string;
  group?: string;
}

export interface PageIncident {
  name: string;
  status: string;
  impact?: string;
  created_at: string;
  shortlink?: string;
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
  /** Watched names not found on the page. */
  missing: string[];
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

interface RawComponent {
  id?: unknown;
  name?: unknown;
  status?: unknown;
  group?: unknown;
  group_id?: unknown;
  components?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Pick the watched components from a components list (summary.json or components.json). */
export function watchedComponents(rawList: unknown, watched: string[] | undefined): { components: ComponentStatus[]; missing: string[] } {
  const list = arr(rawList).map((c) => obj(c) as RawComponent);
  const groups = list.filter((c) => c.group === true);
  const groupName = new Map<string, string>();
  for (const g of groups) if (str(g.id)) groupName.set(g.id as string, str(g.name) ?? '?');
  const leaves = list.filter((c) => c.group !== true);
  const toStatus = (c: RawComponent): ComponentStatus => {
    const group = str(c.group_id) ? groupName.get(c.group_id as string) : undefined;
    return { name: str(c.name) ?? '(unnamed)', status: str(c.status) ?? 'unknown', ...(group ? { group } : {}) };
  };
  if (!watched || watched.length === 0) return { components: leaves.map(toStatus), missing: [] };

  const out: ComponentStatus[] = [];
  const seen = new Set<RawComponent>();
  const missing: string[] = [];
  const add = (c: RawComponent) => {
    if (!seen.has(c)) {
      seen.add(c);
      out.push(toStatus(c));
    }
  };
  for (const name of watched) {
    const wanted = name.trim().toLowerCase();
    let found = false;
    for (const g of groups.filter((x) => str(x.name)?.trim().toLowerCase() === wanted)) {
      found = true;
      const childIds = new Set(arr(g.components).filter((x): x is string => typeof x === 'string'));
      const children = leaves.filter((c) => (str(c.id) && childIds.has(c.id as string)) || (str(c.group_id) && c.group_id === g.id));
      if (children.length) children.forEach(add);
      else add({ ...g, group: false });
    }
    for (const c of leaves.filter((x) => str(x.name)?.trim().toLowerCase() === wanted)) {
      found = true;
      add(c);
    }
    if (!found) missing.push(name);
  }
  return { components: out, missing };
}

export function parseIncidents(raw: unknown): PageIncident[] {
  return arr(raw).map((x) => {
    const i = obj(x);
    return {
      name: str(i.name) ?? '(untitled incident)',
      status: str(i.status) ?? 'unknown',
      ...(str(i.impact) ? { impact: str(i.impact) } : {}),
      created_at: str(i.created_at) ?? str(i.started_at) ?? '',
      ...(str(i.shortlink) ? { shortlink: str(i.shortlink) } : {}),
    };
  });
}

export function parseMaintenances(raw: unknown): MaintenanceWindow[] {
  return arr(raw).map((x) => {
    const m = obj(x);
    return {
      name: str(m.name) ?? '(untitled maintenance)',
      status: str(m.status) ?? 'unknown',
      scheduled_for: str(m.scheduled_for) ?? null,
      scheduled_until: str(m.scheduled_until) ?? null,
      ...(str(m.impact) ? { impact: str(m.impact) } : {}),
      ...(str(m.shortlink) ? { shortlink: str(m.shortlink) } : {}),
      components: arr(m.components)
        .map((c) => str(obj(c).name) ?? '')
        .filter(Boolean),
    };
  });
}

/** A summary.json (or components.json) document as a report on the watched components. */
export function parseSummary(doc: unknown, watched?: string[]): StatusPageReport {
  const d = obj(doc);
  const { components, missing } = watchedComponents(d.components, watched);
  const statuses = components.map((c) => normaliseStatus(c.status));
  if (missing.length) statuses.push('unknown');
  const st = obj(d.status);
  return {
    status: worstStatus(statuses),
    indicator: str(st.indicator) ?? 'unknown',
    ...(str(st.description) ? { description: str(st.description) } : {}),
    components,
    incidents: parseIncidents(d.incidents).filter((i) => i.status !== 'resolved' && i.status !== 'postmortem'),
    maintenances: parseMaintenances(d.scheduled_maintenances),
    missing,
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

/**
 * Statuspage manage API (api.statuspage.io/v1): our own customer-facing page.
 * The first notify creates the incident; later ones PATCH that same incident
 * (its id is found in earlier notify results of the payctl incident).
 * Header `Authorization: OAuth <key>`; bodies are wrapped in `incident`.
 *
 * Statuspage has no idempotency keys, so a create whose answer was lost (the
 * process killed, the answer timed out) must not become a second public
 * incident on the retry: every incident payctl creates carries its payctl
 * incident id in `metadata.payctl.incident_id`, and before creating, the
 * page's unresolved incidents are searched for it; one found is updated
 * instead. Resolving resolves every unresolved incident carrying the id (an
 * extra one left by an older run is closed quietly, without notifications).
 */
import { OperationError } from '../errors.js';
import type { HttpClient } from './http.js';

export type StatuspageIncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';

export interface StatuspageTarget {
  channel: string;
  baseUrl: string;
  pageId: string;
  apiKey: string;
  deliverNotifications: boolean;
}

export interface StatuspageUpdate {
  name: string;
  body: string;
  status: StatuspageIncidentStatus;
  /** Component id → status (operational, degraded_performance, partial_outage, major_outage, under_maintenance). */
  components?: Record<string, string>;
  impactOverride?: 'none' | 'minor' | 'major' | 'critical';
}

/** What marks an incident as created for one payctl incident (Statuspage metadata: top-level values are objects). */
export function payctlMetadata(incidentId: string): Record<string, Record<string, string>> {
  return { payctl: { incident_id: incidentId } };
}

function incidentBody(u: StatuspageUpdate, deliver: boolean, marker: string | undefined): unknown {
  const components = u.components && Object.keys(u.components).length ? u.components : undefined;
  return {
    incident: {
      name: u.name,
      status: u.status,
      body: u.body,
      deliver_notifications: deliver,
      ...(u.impactOverride ? { impact_override: u.impactOverride } : {}),
      ...(components ? { component_ids: Object.keys(components), components } : {}),
      ...(marker ? { metadata: payctlMetadata(marker) } : {}),
    },
  };
}

function describeStatuspageError(_s: number, _t: string, json: unknown): string | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const j = json as { error?: unknown; message?: unknown };
  const e = Array.isArray(j.error) ? j.error.join('; ') : (j.error ?? j.message);
  return typeof e === 'string' ? e : undefined;
}

export interface UpsertResult {
  id: string;
  status: number;
  created: boolean;
  /** The incident was found on the page by its marker (an earlier attempt created it, its answer was lost). */
  reused?: boolean;
  /** Other incidents carrying the marker, resolved along with this one. */
  alsoResolved?: string[];
  dryRun?: boolean;
}

interface PageIncidentRef {
  id: string;
  created_at: string;
  /** Ids of the components it affects. */
  components: string[];
}

/** The page's unresolved incidents created for this payctl incident, oldest first. */
async function unresolvedFor(
  http: HttpClient,
  t: StatuspageTarget,
  base: string,
  marker: string,
  signal?: AbortSignal,
): Promise<PageIncidentRef[]> {
  const res = await http.request<unknown>({
    service: `statuspage channel "${t.channel}"`,
    url: `${base}/unresolved`,
    headers: { Authorization: `OAuth ${t.apiKey}` },
    query: { per_page: '100' },
    signal,
    describeError: describeStatuspageError,
  });
  const list = Array.isArray(res.data) ? res.data : [];
  return list
    .filter(
      (x): x is { id: string; created_at?: unknown; components?: unknown; metadata?: { payctl?: { incident_id?: unknown } } } =>
        Boolean(x) && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string',
    )
    .filter((x) => x.metadata?.payctl?.incident_id === marker)
    .map((x) => ({
      id: x.id,
      created_at: typeof x.created_at === 'string' ? x.created_at : '',
      components: (Array.isArray(x.components) ? x.components : [])
        .map((c) => (c && typeof c === 'object' ? (c as { id?: unknown }).id : undefined))
        .filter((c): c is string => typeof c === 'string'),
    }))
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/**
 * Create (no id yet, none found by `marker`) or update the incident; returns its id.
 * `marker` is the payctl incident id (see the header).
 */
export async function upsertStatuspageIncident(
  http: HttpClient,
  t: StatuspageTarget,
  u: StatuspageUpdate,
  existingId: string | undefined,
  key: string,
  signal?: AbortSignal,
  marker?: string,
): Promise<UpsertResult> {
  const base = `${t.baseUrl.replace(/\/+$/, '')}/pages/${encodeURIComponent(t.pageId)}/incidents`;
  const ours = marker && !http.dryRun && (!existingId || u.status === 'resolved') ? await unresolvedFor(http, t, base, marker, signal) : [];
  const target = existingId ?? ours[0]?.id;
  // a create is not retried by the client: a POST that reached the page but whose answer was lost would
  // open a second public incident; the step's own retry looks the first one up (by marker) before creating
  const write = (id: string | undefined, body: unknown, idempotencyKey: string) =>
    (id ? http : http.withLimits({ retries: 0 })).request<{ id?: unknown }>({
      service: `statuspage channel "${t.channel}"`,
      method: id ? 'PATCH' : 'POST',
      url: id ? `${base}/${encodeURIComponent(id)}` : base,
      headers: { Authorization: `OAuth ${t.apiKey}` },
      body,
      idempotencyKey,
      signal,
      describeError: describeStatuspageError,
    });
  const res = await write(target, incidentBody(u, t.deliverNotifications, marker), key);
  if (res.dryRun) return { id: target ?? '(dry-run)', status: 0, created: !target, dryRun: true };
  const id = res.data && typeof res.data.id === 'string' ? res.data.id : target;
  if (!id) throw new OperationError(`statuspage channel "${t.channel}": the answer has no incident id`);
  const alsoResolved: string[] = [];
  if (u.status === 'resolved') {
    for (const extra of ours.filter((x) => x.id !== id)) {
      await write(extra.id, { incident: { status: 'resolved', body: u.body, deliver_notifications: false } }, `${key}-${extra.id}`);
      alsoResolved.push(extra.id);
    }
  }
  return {
    id,
    status: res.status,
    created: !target,
    ...(!existingId && target ? { reused: true } : {}),
    ...(alsoResolved.length ? { alsoResolved } : {}),
  };
}

/**
 * Resolve every unresolved incident on the page created for this payctl
 * incident (`payctl incident resolve`), its components back to operational;
 * returns their ids. None found: nothing is written.
 */
export async function resolveStatuspageIncidents(
  http: HttpClient,
  t: StatuspageTarget,
  marker: string,
  body: string,
  key: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const base = `${t.baseUrl.replace(/\/+$/, '')}/pages/${encodeURIComponent(t.pageId)}/incidents`;
  const ours = await unresolvedFor(http, t, base, marker, signal);
  for (const inc of ours) {
    const components = Object.fromEntries(inc.components.map((id) => [id, 'operational']));
    await http.request({
      service: `statuspage channel "${t.channel}"`,
      method: 'PATCH',
      url: `${base}/${encodeURIComponent(inc.id)}`,
      headers: { Authorization: `OAuth ${t.apiKey}` },
      body: {
        incident: {
          status: 'resolved',
          body,
          deliver_notifications: t.deliverNotifications,
          ...(inc.components.length ? { components } : {}),
        },
      },
      idempotencyKey: `${key}-${inc.id}`,
      signal,
      describeError: describeStatuspageError,
    });
  }
  return ours.map((x) => x.id);
}

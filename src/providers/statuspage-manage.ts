/**
 * Statuspage manage API (api.statuspage.io/v1): our own customer-facing page.
 * The first notify creates the incident; later ones PATCH that same incident
 * (its id is found in earlier notify results of the payctl incident).
 * Header `Authorization: OAuth <key>`; bodies are wrapped in `incident`.
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

function incidentBody(u: StatuspageUpdate, deliver: boolean): unknown {
  const components = u.components && Object.keys(u.components).length ? u.components : undefined;
  return {
    incident: {
      name: u.name,
      status: u.status,
      body: u.body,
      deliver_notifications: deliver,
      ...(u.impactOverride ? { impact_override: u.impactOverride } : {}),
      ...(components ? { component_ids: Object.keys(components), components } : {}),
    },
  };
}

function describeStatuspageError(_s: number, _t: string, json: unknown): string | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const j = json as { error?: unknown; message?: unknown };
  const e = Array.isArray(j.error) ? j.error.join('; ') : (j.error ?? j.message);
  return typeof e === 'string' ? e : undefined;
}

/** Create (no id yet) or update (id from an earlier notify) the incident; returns its id. */
export async function upsertStatuspageIncident(
  http: HttpClient,
  t: StatuspageTarget,
  u: StatuspageUpdate,
  existingId: string | undefined,
  key: string,
  signal?: AbortSignal,
): Promise<{ id: string; status: number; created: boolean; dryRun?: boolean }> {
  const base = `${t.baseUrl.replace(/\/+$/, '')}/pages/${encodeURIComponent(t.pageId)}/incidents`;
  const res = await http.request<{ id?: unknown }>({
    service: `statuspage channel "${t.channel}"`,
    method: existingId ? 'PATCH' : 'POST',
    url: existingId ? `${base}/${encodeURIComponent(existingId)}` : base,
    headers: { Authorization: `OAuth ${t.apiKey}` },
    body: incidentBody(u, t.deliverNotifications),
    idempotencyKey: key,
    signal,
    describeError: describeStatuspageError,
  });
  if (res.dryRun) return { id: existingId ?? '(dry-run)', status: 0, created: !existingId, dryRun: true };
  const id = res.data && typeof res.data.id === 'string' ? res.data.id : existingId;
  if (!id) throw new OperationError(`statuspage channel "${t.channel}": the answer has no incident id`);
  return { id, status: res.status, created: !existingId };
}

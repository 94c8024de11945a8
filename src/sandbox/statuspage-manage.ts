/**
 * The Statuspage manage API (api.statuspage.io/v1) for the merchant's own page,
 * at `/statuspage/v1`: create, update, list (all, or `/unresolved`) and read
 * incidents on page `sandbox-page`. `Authorization: OAuth <key>` is required
 * (any non-empty key). Like the real API it has no idempotency: a repeated
 * POST creates a second incident; `metadata` (objects of values) is kept and
 * returned, which is how payctl finds an incident whose create answer it lost.
 */
import { isRecord, json, makeId, type Reply, type SandboxRequest, iso } from './http.js';

export const MANAGE_PAGE_ID = 'sandbox-page';

const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'scheduled', 'in_progress', 'verifying', 'completed'];
const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
const IMPACTS = ['none', 'maintenance', 'minor', 'major', 'critical'];

/** Components of the merchant's page: one per provider ("Payments via Stripe"), and Checkout. */
export function manageComponentIds(providers: readonly string[]): Record<string, string> {
  return Object.fromEntries(providers.map((p) => [p, `sbx-cmp-${p}`]));
}

export interface ManagedIncident {
  id: string;
  page_id: string;
  name: string;
  status: string;
  impact: string;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  shortlink: string;
  /** component id → status, as last set. */
  components: Record<string, string>;
  incident_updates: { id: string; status: string; body: string; created_at: string; deliver_notifications: boolean }[];
  /** Idempotency-Key headers of the requests that created or changed it. */
  idempotency_keys: string[];
  metadata: Record<string, unknown>;
}

export class ManageState {
  incidents: ManagedIncident[] = [];
  private counter = 0;
  constructor(
    private readonly providers: readonly string[],
    private readonly now: () => number,
  ) {}

  componentNames(): Record<string, string> {
    const out: Record<string, string> = { 'sbx-cmp-checkout': 'Checkout' };
    for (const p of this.providers) out[`sbx-cmp-${p}`] = `Payments via ${p[0]!.toUpperCase()}${p.slice(1)}`;
    return out;
  }

  reset(): void {
    this.incidents = [];
  }

  handle(rest: string, req: SandboxRequest): Reply {
    const auth = req.headers.authorization ?? '';
    if (!/^OAuth\s+\S+/.test(auth)) return json(401, { error: 'Could not authenticate' });
    const m = /^\/v1\/pages\/([^/]+)\/incidents(?:\/([^/]+))?(?:\.json)?$/.exec(rest);
    if (!m) return json(404, { error: 'Not found' });
    const [, pageId, incidentId] = m as unknown as [string, string, string | undefined];
    if (pageId !== MANAGE_PAGE_ID) return json(404, { error: `Page ${pageId} not found` });
    if (incidentId === 'unresolved' && req.method === 'GET') {
      return json(
        200,
        this.incidents
          .filter((i) => !['resolved', 'completed', 'postmortem'].includes(i.status))
          .map(view)
          .reverse(),
      );
    }
    if (!incidentId) {
      if (req.method === 'GET') return json(200, this.incidents.map(view).reverse());
      if (req.method === 'POST') return this.create(req);
      return json(405, { error: 'Method not allowed' });
    }
    const inc = this.incidents.find((i) => i.id === incidentId);
    if (!inc) return json(404, { error: `Incident ${incidentId} not found` });
    if (req.method === 'GET') return json(200, view(inc));
    if (req.method === 'PATCH' || req.method === 'PUT') return this.update(inc, req);
    return json(405, { error: 'Method not allowed' });
  }

  private create(req: SandboxRequest): Reply {
    const parsed = this.readIncident(req, true);
    if ('error' in parsed) return parsed.error;
    const i = parsed.incident;
    const now = iso(this.now());
    const id = makeId('sbxinc', ++this.counter);
    const inc: ManagedIncident = {
      id,
      page_id: MANAGE_PAGE_ID,
      name: String(i.name),
      status: typeof i.status === 'string' ? i.status : 'investigating',
      impact: typeof i.impact_override === 'string' ? i.impact_override : 'minor',
      created_at: now,
      updated_at: now,
      resolved_at: null,
      shortlink: `https://stspg.io/${id}`,
      components: {},
      incident_updates: [],
      idempotency_keys: [],
      metadata: {},
    };
    this.apply(inc, i, req, now);
    this.incidents.push(inc);
    return json(201, view(inc));
  }

  private update(inc: ManagedIncident, req: SandboxRequest): Reply {
    const parsed = this.readIncident(req, false);
    if ('error' in parsed) return parsed.error;
    const i = parsed.incident;
    const now = iso(this.now());
    if (typeof i.name === 'string') inc.name = i.name;
    if (typeof i.status === 'string') inc.status = i.status;
    if (typeof i.impact_override === 'string') inc.impact = i.impact_override;
    this.apply(inc, i, req, now);
    return json(200, view(inc));
  }

  private apply(inc: ManagedIncident, i: Record<string, unknown>, req: SandboxRequest, now: string): void {
    inc.updated_at = now;
    if (inc.status === 'resolved' || inc.status === 'completed') inc.resolved_at ??= now;
    if (isRecord(i.metadata))
      for (const [k, v] of Object.entries(i.metadata))
        if (isRecord(v)) inc.metadata[k] = { ...(isRecord(inc.metadata[k]) ? inc.metadata[k] : {}), ...v };
    if (isRecord(i.components)) for (const [id, s] of Object.entries(i.components)) inc.components[id] = String(s);
    if (Array.isArray(i.component_ids)) for (const id of i.component_ids) inc.components[String(id)] ??= 'operational';
    if (typeof i.body === 'string' || typeof i.status === 'string') {
      inc.incident_updates.unshift({
        id: `${inc.id}-u${inc.incident_updates.length + 1}`,
        status: inc.status,
        body: typeof i.body === 'string' ? i.body : '',
        created_at: now,
        deliver_notifications: i.deliver_notifications !== false,
      });
    }
    const key = req.headers['idempotency-key'];
    if (key) inc.idempotency_keys.push(key);
  }

  private readIncident(req: SandboxRequest, creating: boolean): { incident: Record<string, unknown> } | { error: Reply } {
    if (req.bodyError || !isRecord(req.body)) return { error: json(400, { error: 'Request body must be a JSON object' }) };
    const i = req.body.incident;
    if (!isRecord(i)) return { error: json(422, { error: 'incident is missing' }) };
    const errors: string[] = [];
    if (creating && (typeof i.name !== 'string' || i.name.trim() === '')) errors.push("Name can't be blank");
    if (i.status !== undefined && !INCIDENT_STATUSES.includes(String(i.status)))
      errors.push(`Status ${String(i.status)} is not a valid status`);
    if (i.impact_override !== undefined && !IMPACTS.includes(String(i.impact_override)))
      errors.push(`Impact override ${String(i.impact_override)} is invalid`);
    const known = this.componentNames();
    const ids = [
      ...(isRecord(i.components) ? Object.keys(i.components) : []),
      ...(Array.isArray(i.component_ids) ? i.component_ids.map(String) : []),
    ];
    for (const id of ids) if (!(id in known)) errors.push(`Component ${id} not found`);
    if (isRecord(i.components)) {
      for (const [id, s] of Object.entries(i.components)) {
        if (!COMPONENT_STATUSES.includes(String(s))) errors.push(`Component ${id}: status ${String(s)} is invalid`);
      }
    }
    if (i.metadata !== undefined && (!isRecord(i.metadata) || Object.values(i.metadata).some((v) => !isRecord(v))))
      errors.push('Metadata top level values must be objects');
    if (errors.length) return { error: json(422, { error: errors.join('; ') }) };
    return { incident: i };
  }
}

/** An incident as the real API returns it. */
function view(inc: ManagedIncident) {
  return {
    id: inc.id,
    name: inc.name,
    status: inc.status,
    impact: inc.impact,
    created_at: inc.created_at,
    updated_at: inc.updated_at,
    monitoring_at: null,
    resolved_at: inc.resolved_at,
    shortlink: inc.shortlink,
    page_id: inc.page_id,
    metadata: inc.metadata,
    incident_updates: inc.incident_updates.map((u) => ({
      ...u,
      incident_id: inc.id,
      updated_at: u.created_at,
      display_at: u.created_at,
      affected_components: null,
    })),
    components: Object.entries(inc.components).map(([id, status]) => ({ id, status, page_id: inc.page_id })),
  };
}

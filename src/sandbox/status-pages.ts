/**
 * Each provider's public Statuspage v2 API at `/status/<provider>/api/v2/…`,
 * derived from the provider's condition fault:
 *   down → API and Card payments major_outage, an unresolved incident;
 *   degraded → degraded_performance, an unresolved incident;
 *   maintenance → under_maintenance, an active scheduled maintenance;
 *   early_recovery=<d> → partial_outage and an unresolved incident for <d>, then
 *     the incident resolved and everything operational while payments still fail;
 *   declines, rate_limit, silent → operational (only your own metrics show them).
 * Every provider also has one upcoming maintenance window ~2 days ahead.
 * Shapes follow the real captures in ../shared/fixtures/statuspage.
 */
import { json, type Reply, type SandboxRequest, iso } from './http.js';
import type { Fault } from './faults.js';
import type { World } from './world.js';

type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';

const STATUS_RANK: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

/** Component layout: a group "Payments" holding API and Card payments, and Dashboard on its own. */
const LEAVES = [
  { key: 'api', name: 'API', grouped: true, watched: true },
  { key: 'card-payments', name: 'Card payments', grouped: true, watched: true },
  { key: 'dashboard', name: 'Dashboard', grouped: false, watched: false },
] as const;

function pageOf(world: World, p: string) {
  return {
    id: `sbx${p
      .replace(/[^a-z0-9]/gi, '')
      .slice(0, 9)
      .padEnd(9, '0')}`,
    name: `${p[0]!.toUpperCase()}${p.slice(1)} (sandbox)`,
    url: `https://status.${p}.example`,
    time_zone: 'Etc/UTC',
    updated_at: iso(world.startedAt),
  };
}

/** When an early_recovery fault's page declares recovery (epoch ms); the fault's own heal if that comes first. */
function declaredRecoveryAt(f: Fault): number | undefined {
  if (f.kind !== 'early_recovery') return f.healedAt ? Date.parse(f.healedAt) : undefined;
  const declared = Date.parse(f.injectedAt) + (f.admittedForMs ?? 0);
  return f.healedAt ? Math.min(declared, Date.parse(f.healedAt)) : declared;
}

/** What the page says about a condition at `now`: early_recovery is admitted only until recovery is declared. */
function pageKind(f: Fault | undefined, now: number): Fault['kind'] | undefined {
  if (f?.kind === 'early_recovery') return now < declaredRecoveryAt(f)! ? 'early_recovery' : undefined;
  return f?.kind;
}

/** Whether a condition fault has (or had) a status-page incident. */
function hasIncident(f: Fault): boolean {
  return f.kind === 'down' || f.kind === 'degraded' || f.kind === 'early_recovery';
}

function componentStatus(kind: Fault['kind'] | undefined): ComponentStatus {
  switch (kind) {
    case 'down':
      return 'major_outage';
    case 'degraded':
      return 'degraded_performance';
    case 'maintenance':
      return 'under_maintenance';
    case 'early_recovery':
      return 'partial_outage';
    default:
      // declines, rate_limit, silent: the processor's page says nothing (you see it in your own metrics)
      return 'operational';
  }
}

export function providerComponents(world: World, p: string) {
  const page = pageOf(world, p);
  const cond = world.faults.condition(p);
  const kind = pageKind(cond, world.now());
  const affected = componentStatus(kind);
  const declared = cond?.kind === 'early_recovery' && kind === undefined ? declaredRecoveryAt(cond) : undefined;
  const updated = declared !== undefined ? iso(declared) : cond ? cond.injectedAt : iso(world.startedAt);
  const base = {
    created_at: '2020-01-01T00:00:00.000Z',
    description: null,
    showcase: false,
    start_date: null,
    page_id: page.id,
    only_show_if_degraded: false,
  };
  const groupId = `${p}-payments`;
  const leaves = LEAVES.map((c, i) => ({
    id: `${p}-${c.key}`,
    name: c.name,
    status: c.key === 'dashboard' ? ('operational' as ComponentStatus) : affected,
    ...base,
    updated_at: c.key === 'dashboard' ? iso(world.startedAt) : updated,
    position: i + 2,
    group_id: c.grouped ? groupId : null,
    group: false,
  }));
  const worst = leaves
    .filter((l) => l.group_id)
    .reduce<ComponentStatus>((w, l) => (STATUS_RANK[l.status] > STATUS_RANK[w] ? l.status : w), 'operational');
  const group = {
    id: groupId,
    name: 'Payments',
    status: worst,
    ...base,
    updated_at: updated,
    position: 1,
    group_id: null,
    group: true,
    components: leaves.filter((l) => l.group_id).map((l) => l.id),
  };
  return [group, ...leaves];
}

function statusOf(world: World, cond: Fault | undefined) {
  switch (pageKind(cond, world.now())) {
    case 'down':
      return { indicator: 'critical', description: 'Major System Outage' };
    case 'early_recovery':
      return { indicator: 'major', description: 'Partial System Outage' };
    case 'degraded':
      return { indicator: 'minor', description: 'Partially Degraded Service' };
    case 'maintenance':
      return { indicator: 'maintenance', description: 'Service Under Maintenance' };
    default:
      return { indicator: 'none', description: 'All Systems Operational' };
  }
}

function affectedComponents(p: string, oldStatus: string, newStatus: string) {
  return ['api', 'card-payments'].map((k) => ({
    code: `${p}-${k}`,
    name: `Payments - ${k === 'api' ? 'API' : 'Card payments'}`,
    old_status: oldStatus,
    new_status: newStatus,
  }));
}

/** The status-page incident a down/degraded/early_recovery fault produces (resolved once healed, or once recovery is declared). */
function incidentFor(world: World, p: string, f: Fault) {
  const page = pageOf(world, p);
  const id = `${p}-inc-${f.id}`;
  const created = Date.parse(f.injectedAt);
  const identifiedAt = created + world.identifyAfterMs;
  const now = world.now();
  const newStatus = componentStatus(f.kind);
  const update = (n: number, status: string, body: string, at: number, oldS: string, newS: string) => ({
    id: `${id}-u${n}`,
    status,
    body,
    incident_id: id,
    created_at: iso(at),
    updated_at: iso(at),
    display_at: iso(at),
    affected_components: affectedComponents(p, oldS, newS),
    deliver_notifications: true,
    custom_tweet: null,
    tweet_id: null,
  });
  const updates = [
    update(1, 'investigating', 'We are investigating elevated error rates for card payments.', created, 'operational', newStatus),
  ];
  let status = 'investigating';
  const recovered = declaredRecoveryAt(f);
  // a provider that resolves an incident before identifying it never posts "identified"
  if (now >= identifiedAt && (recovered === undefined || identifiedAt < recovered)) {
    status = 'identified';
    updates.unshift(
      update(2, 'identified', 'The issue has been identified and a fix is being implemented.', identifiedAt, newStatus, newStatus),
    );
  }
  let resolvedAt: string | null = null;
  if (recovered !== undefined && now >= recovered) {
    status = 'resolved';
    resolvedAt = iso(recovered);
    updates.unshift(update(3, 'resolved', 'This incident has been resolved.', recovered, newStatus, 'operational'));
  }
  return {
    id,
    name: INCIDENT_NAME[f.kind] ?? 'Degraded performance for card payments',
    status,
    created_at: f.injectedAt,
    updated_at: updates[0]!.created_at,
    monitoring_at: null,
    resolved_at: resolvedAt,
    impact: f.kind === 'down' ? 'critical' : f.kind === 'early_recovery' ? 'major' : 'minor',
    shortlink: `https://stspg.io/sbx${f.id}`,
    started_at: f.injectedAt,
    page_id: page.id,
    incident_updates: updates,
    components: providerComponents(world, p).filter((c) => c.name === 'API' || c.name === 'Card payments'),
  };
}

const INCIDENT_NAME: Partial<Record<Fault['kind'], string>> = {
  down: 'Card payments failing',
  early_recovery: 'Card payments failing for some customers',
};

function unresolvedIncidents(world: World, p: string) {
  const cond = world.faults.condition(p);
  return cond && hasIncident(cond) && pageKind(cond, world.now()) !== undefined ? [incidentFor(world, p, cond)] : [];
}

function allIncidents(world: World, p: string) {
  const cond = world.faults.condition(p);
  const current = cond && hasIncident(cond) ? [incidentFor(world, p, cond)] : [];
  const past = world.faults
    .pastConditions(p)
    .filter(hasIncident)
    .map((f) => incidentFor(world, p, f))
    .reverse();
  return [...current, ...past];
}

function maintenance(world: World, p: string, status: 'scheduled' | 'in_progress', from: number, until: number, id: string) {
  const page = pageOf(world, p);
  const body =
    status === 'scheduled'
      ? 'We will be performing scheduled maintenance on card processing.'
      : 'Scheduled maintenance is currently in progress.';
  return {
    id,
    name: 'Card processing maintenance',
    status,
    created_at: iso(world.startedAt),
    updated_at: iso(status === 'scheduled' ? world.startedAt : from),
    monitoring_at: null,
    resolved_at: null,
    impact: 'maintenance',
    shortlink: `https://stspg.io/${id}`,
    started_at: iso(from),
    page_id: page.id,
    incident_updates: [
      {
        id: `${id}-u1`,
        status,
        body,
        incident_id: id,
        created_at: iso(world.startedAt),
        updated_at: iso(world.startedAt),
        display_at: iso(world.startedAt),
        affected_components: affectedComponents(p, 'operational', status === 'scheduled' ? 'operational' : 'under_maintenance'),
        deliver_notifications: true,
        custom_tweet: null,
        tweet_id: null,
      },
    ],
    components: providerComponents(world, p).filter((c) => c.name === 'Card payments'),
    scheduled_for: iso(from),
    scheduled_until: iso(until),
  };
}

/** One window per provider, ~2 days after start (staggered by an hour per provider), two hours long. */
export function upcomingMaintenances(world: World, p: string) {
  const hour = 3_600_000;
  const i = Math.max(0, world.providers.indexOf(p));
  const start = Math.floor(world.startedAt / hour) * hour + 48 * hour + i * hour;
  return [maintenance(world, p, 'scheduled', start, start + 2 * hour, `${p}-mnt-upcoming`)];
}

export function activeMaintenances(world: World, p: string) {
  const cond = world.faults.condition(p);
  if (cond?.kind !== 'maintenance') return [];
  const from = Date.parse(cond.injectedAt);
  const until = cond.healsAt ? Date.parse(cond.healsAt) : from + 3_600_000;
  return [maintenance(world, p, 'in_progress', from, until, `${p}-mnt-${cond.id}`)];
}

/** Handle `/api/v2/<rest>` of one provider's page. */
export function handleStatusPage(world: World, provider: string, rest: string, req: SandboxRequest): Reply {
  if (req.method !== 'GET') return json(405, { error: 'method not allowed' });
  const page = pageOf(world, provider);
  const cond = world.faults.condition(provider);
  switch (rest) {
    case '/api/v2/summary.json':
      return json(200, {
        page,
        components: providerComponents(world, provider),
        incidents: unresolvedIncidents(world, provider),
        scheduled_maintenances: [...activeMaintenances(world, provider), ...upcomingMaintenances(world, provider)],
        status: statusOf(world, cond),
      });
    case '/api/v2/status.json':
      return json(200, { page, status: statusOf(world, cond) });
    case '/api/v2/components.json':
      return json(200, { page, components: providerComponents(world, provider) });
    case '/api/v2/incidents.json':
      return json(200, { page, incidents: allIncidents(world, provider) });
    case '/api/v2/incidents/unresolved.json':
      return json(200, { page, incidents: unresolvedIncidents(world, provider) });
    case '/api/v2/scheduled-maintenances.json':
      return json(200, {
        page,
        scheduled_maintenances: [...activeMaintenances(world, provider), ...upcomingMaintenances(world, provider)],
      });
    case '/api/v2/scheduled-maintenances/upcoming.json':
      return json(200, { page, scheduled_maintenances: upcomingMaintenances(world, provider) });
    case '/api/v2/scheduled-maintenances/active.json':
      return json(200, { page, scheduled_maintenances: activeMaintenances(world, provider) });
    default:
      return json(404, { error: 'Not found' });
  }
}

/** For state(): what each provider's page shows now. */
export function statusPageSummary(world: World, p: string) {
  const comps = providerComponents(world, p);
  return {
    status: statusOf(world, world.faults.condition(p)),
    components: Object.fromEntries(comps.map((c) => [c.name, c.status])),
    incidents: unresolvedIncidents(world, p).map((i) => ({ id: i.id, status: i.status, created_at: i.created_at })),
    active_maintenance: activeMaintenances(world, p).length > 0,
  };
}

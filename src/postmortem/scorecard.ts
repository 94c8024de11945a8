/**
 * The provider scorecard: per provider, across the incidents in the store,
 * how often it failed us, for how long, how fast its status page admitted it,
 * how fast it answered escalations, and how often we failed over away from it.
 */
import type { LoadedIncident } from '../timeline/store.js';
import { rehearsalKind } from '../timeline/rehearsal.js';
import { digestEvents, type IncidentDigest } from './digest.js';
import { referencePoints } from './metrics.js';
import { providerPerformance } from './providers.js';
import { between, earliest, toMs } from './time.js';

export interface ScorecardRow {
  provider: string;
  incidents: number;
  /** Of those, still open (their downtime runs to the last event). */
  open_incidents: number;
  total_downtime_ms: number;
  longest_downtime_ms: number | null;
  mean_time_to_resolve_ms: number | null;
  resolved_incidents: number;
  status_page_admission: { mean_delay_ms: number | null; admitted: number; never_admitted: number };
  escalation_response: { escalations: number; answered: number; mean_ms: number | null; longest_ms: number | null };
  failovers_away: number;
  /** Time its traffic was on other providers, weighted by the share moved (shares.ts). */
  traffic_away_ms: number;
  incident_ids: string[];
}

export const SCORECARD_DEFINITIONS: { column: string; definition: string }[] = [
  {
    column: 'Incidents',
    definition:
      'Incidents in the period in which the provider had a problem: a non-operational status reading or an escalation to it. A failover away from a provider that read as healthy counts only under Failovers away.',
  },
  {
    column: 'Total / longest downtime',
    definition:
      "Per incident, from the earlier of our detection and its status page admitting the problem, to the incident's resolution (open incidents count up to their last event); summed, and the longest.",
  },
  { column: 'MTTR', definition: 'Mean time to resolve: the mean, over its resolved incidents, of detection to the resolved milestone.' },
  {
    column: 'Status page admission',
    definition:
      'Mean delay from our detection to its status page showing the problem (its incident creation time, else our first non-operational reading); negative means it admitted the problem before we detected it. "never" counts incidents where it never did.',
  },
  {
    column: 'Escalation response',
    definition:
      'Mean time from our escalation to the first note naming the provider, or the acknowledged milestone, after it; with how many escalations were answered.',
  },
  { column: 'Failovers away', definition: 'Successful switches that moved traffic away from this provider.' },
  {
    column: 'Traffic away',
    definition:
      "For the provider that had all traffic before an incident's first switch: how long its traffic was on other providers, weighted by share (an hour with 10% moved counts six minutes), up to the end of the record.",
  },
];

/** Split incidents into those the scorecard counts and the rehearsals it leaves out (unless includeRehearsals). */
export function selectIncidents<T extends Pick<LoadedIncident, 'state'>>(
  incidents: T[],
  includeRehearsals = false,
): { counted: T[]; rehearsals: T[] } {
  const counted: T[] = [];
  const rehearsals: T[] = [];
  for (const inc of incidents) {
    const rehearsal = rehearsalKind(inc.state) !== undefined;
    if (rehearsal) rehearsals.push(inc);
    if (!rehearsal || includeRehearsals) counted.push(inc);
  }
  return { counted, rehearsals };
}

const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

/** The scorecard of incidents held in memory (tests). */
export function buildScorecard(
  incidents: Pick<LoadedIncident, 'id' | 'events' | 'state'>[],
  opts: { threshold?: number; providers?: string[] } = {},
): ScorecardRow[] {
  const card = new ScorecardBuilder(opts);
  for (const inc of incidents) card.add({ ...digestEvents(inc.events), id: inc.id, state: inc.state });
  return card.rows();
}

/** What the scorecard reads of an incident. */
export type ScoredIncident = { id: string } & Pick<IncidentDigest, 'state' | 'facts' | 'shares'>;

type RowBeingBuilt = ScorecardRow & { _resolve: number[]; _admit: number[]; _esc: number[] };

/**
 * The scorecard built one incident at a time (providers report streams the
 * store through it: nothing of an incident is kept once it is added).
 */
export class ScorecardBuilder {
  private readonly byProvider = new Map<string, RowBeingBuilt>();
  private readonly threshold: number;

  constructor(opts: { threshold?: number; providers?: string[] } = {}) {
    this.threshold = opts.threshold ?? 0.95;
    for (const p of opts.providers ?? []) this.row(p);
  }

  private row(p: string): RowBeingBuilt {
    let r = this.byProvider.get(p);
    if (!r) {
      r = {
        provider: p,
        incidents: 0,
        open_incidents: 0,
        total_downtime_ms: 0,
        longest_downtime_ms: null,
        mean_time_to_resolve_ms: null,
        resolved_incidents: 0,
        status_page_admission: { mean_delay_ms: null, admitted: 0, never_admitted: 0 },
        escalation_response: { escalations: 0, answered: 0, mean_ms: null, longest_ms: null },
        failovers_away: 0,
        traffic_away_ms: 0,
        incident_ids: [],
        _resolve: [],
        _admit: [],
        _esc: [],
      };
      this.byProvider.set(p, r);
    }
    return r;
  }

  /** One incident's part in the scorecard; a cancelled one (opened by mistake) has none. */
  add(inc: ScoredIncident): void {
    if (cancelledByMistake(inc.state)) return;
    const facts = inc.facts;
    const points = referencePoints(inc.state, facts, this.threshold);
    const detection = points.detected ?? points.opened;
    const open = inc.state.status !== 'resolved';
    const away = inc.shares.trafficAway(points.resolved ?? points.last_event);
    if (away) this.row(away.provider).traffic_away_ms += away.ms;
    for (const perf of providerPerformance(facts, points)) {
      if (!perf.affected) continue;
      const r = this.row(perf.provider);
      r.failovers_away += perf.failovers_away;
      // moving traffic away from a provider that looked healthy (a planned or precautionary failover) is not its downtime
      if (!perf.had_problem) continue;
      r.incidents++;
      r.incident_ids.push(inc.id);
      if (open) r.open_incidents++;
      const from = earliest([detection, perf.admitted_at]);
      const down = Math.max(0, between(from, points.resolved ?? points.last_event) ?? 0);
      r.total_downtime_ms += down;
      r.longest_downtime_ms = Math.max(r.longest_downtime_ms ?? 0, down);
      if (!open && points.resolved) {
        r.resolved_incidents++;
        r._resolve.push(between(detection, points.resolved) ?? 0);
      }
      if (perf.admission_delay_ms !== null) {
        r.status_page_admission.admitted++;
        r._admit.push(perf.admission_delay_ms);
      } else r.status_page_admission.never_admitted++;
      for (const e of perf.escalations) {
        r.escalation_response.escalations++;
        if (e.response_ms !== null) {
          r.escalation_response.answered++;
          r._esc.push(e.response_ms);
        }
      }
    }
  }

  rows(): ScorecardRow[] {
    return [...this.byProvider.values()]
      .map(({ _resolve, _admit, _esc, ...r }) => ({
        ...r,
        mean_time_to_resolve_ms: mean(_resolve),
        status_page_admission: { ...r.status_page_admission, mean_delay_ms: mean(_admit) },
        escalation_response: { ...r.escalation_response, mean_ms: mean(_esc), longest_ms: _esc.length ? Math.max(..._esc) : null },
      }))
      .sort((a, b) => b.incidents - a.incidents || b.total_downtime_ms - a.total_downtime_ms || a.provider.localeCompare(b.provider));
  }
}

/**
 * Cancelled as opened by mistake: left out of every count. A dry run cancels
 * itself when it ends; it stays a rehearsal (--include-drills counts it).
 */
export function cancelledByMistake(state: Pick<LoadedIncident['state'], 'status' | 'dry_run'>): boolean {
  return state.status === 'cancelled' && !state.dry_run;
}

/** Incidents opened at or after this time are in the period. */
export function inPeriod(openedAt: string, sinceMs: number, nowMs: number): boolean {
  return (toMs(openedAt) ?? 0) >= nowMs - sinceMs;
}

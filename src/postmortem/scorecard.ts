/**
 * The provider scorecard: per provider, across the incidents in the store,
 * how often it failed us, for how long, how fast its status page admitted it,
 * how fast it answered escalations, and how often we failed over away from it.
 */
import type { IncidentState } from '../timeline/replay.js';
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

/**
 * One incident's part in the scorecard, as plain data: what providers report
 * picks incidents by, and what the incident adds to each provider's row.
 * Computed once per timeline (a directory store keeps it while the timeline
 * is unchanged: Store.eachDerived).
 */
export interface ScorecardPart {
  opened_at: string;
  status: IncidentState['status'];
  dry_run: boolean;
  source: string;
  /** The traffic of the provider that had it all before the first switch, and how long (weighted by share) it was elsewhere. */
  away?: { provider: string; ms: number };
  /** Each provider the incident affected. */
  providers: {
    provider: string;
    failovers_away: number;
    /** When it had a problem (a failover away from a provider that read as healthy is not its downtime). */
    problem?: {
      downtime_ms: number;
      /** Detection to resolution, when the incident is resolved. */
      resolve_ms?: number;
      admission_delay_ms: number | null;
      /** Per escalation to it, how long until a response (null: none recorded). */
      escalation_responses_ms: (number | null)[];
    };
  }[];
}

/**
 * Changes whenever scorecardPart (or what it reads: facts, shares, reference points) computes
 * differently; parts kept are also computed again by another payctl release.
 */
export const SCORECARD_PART_VERSION = 1;

/** An incident's part in the scorecard, with the success-rate threshold that marks detection. */
export function scorecardPart(inc: ScoredIncident, threshold: number): ScorecardPart {
  const { state, facts } = inc;
  const points = referencePoints(state, facts, threshold);
  const detection = points.detected ?? points.opened;
  const end = points.resolved ?? points.last_event;
  const resolved = state.status === 'resolved' && points.resolved;
  const away = inc.shares.trafficAway(end);
  return {
    opened_at: state.opened_at,
    status: state.status,
    dry_run: state.dry_run,
    source: state.source,
    ...(away ? { away } : {}),
    providers: providerPerformance(facts, points)
      .filter((perf) => perf.affected)
      .map((perf) => ({
        provider: perf.provider,
        failovers_away: perf.failovers_away,
        ...(perf.had_problem
          ? {
              problem: {
                downtime_ms: Math.max(0, between(earliest([detection, perf.admitted_at]), end) ?? 0),
                ...(resolved ? { resolve_ms: between(detection, points.resolved) ?? 0 } : {}),
                admission_delay_ms: perf.admission_delay_ms,
                escalation_responses_ms: perf.escalations.map((e) => e.response_ms),
              },
            }
          : {}),
      })),
  };
}

type RowBeingBuilt = ScorecardRow & { _resolve: number[]; _admit: number[]; _esc: number[] };

/**
 * The scorecard built one incident at a time (providers report streams the
 * store through it: nothing of an incident is kept once it is added).
 */
export class ScorecardBuilder {
  private readonly byProvider = new Map<string, RowBeingBuilt>();
  readonly threshold: number;

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
    this.addPart(inc.id, scorecardPart(inc, this.threshold));
  }

  /** An incident's part, computed before (scorecardPart, with this builder's threshold). */
  addPart(id: string, part: ScorecardPart): void {
    if (cancelledByMistake(part)) return;
    if (part.away) this.row(part.away.provider).traffic_away_ms += part.away.ms;
    for (const p of part.providers) {
      const r = this.row(p.provider);
      r.failovers_away += p.failovers_away;
      if (!p.problem) continue;
      r.incidents++;
      r.incident_ids.push(id);
      if (part.status !== 'resolved') r.open_incidents++;
      r.total_downtime_ms += p.problem.downtime_ms;
      r.longest_downtime_ms = Math.max(r.longest_downtime_ms ?? 0, p.problem.downtime_ms);
      if (p.problem.resolve_ms !== undefined) {
        r.resolved_incidents++;
        r._resolve.push(p.problem.resolve_ms);
      }
      if (p.problem.admission_delay_ms !== null) {
        r.status_page_admission.admitted++;
        r._admit.push(p.problem.admission_delay_ms);
      } else r.status_page_admission.never_admitted++;
      for (const ms of p.problem.escalation_responses_ms) {
        r.escalation_response.escalations++;
        if (ms !== null) {
          r.escalation_response.answered++;
          r._esc.push(ms);
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

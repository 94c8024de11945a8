/** payctl providers report: the provider scorecard across recorded incidents, read one at a time. */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { formatDuration, parseDuration, DURATION_HINT } from '../duration.js';
import { digestIncident } from '../postmortem/digest.js';
import {
  cancelledByMistake,
  inPeriod,
  SCORECARD_DEFINITIONS,
  SCORECARD_PART_VERSION,
  ScorecardBuilder,
  scorecardPart,
  type ScorecardPart,
  type ScorecardRow,
} from '../postmortem/scorecard.js';
import { rehearsalKind } from '../timeline/rehearsal.js';
import { formatTable } from '../ui/table.js';
import { packageVersion } from '../package-root.js';

export interface ReportOptions {
  since?: string;
  json?: boolean;
  /** Count dry runs, drills and demos too (left out by default: rehearsals, not provider behaviour). */
  includeDrills?: boolean;
}

const d = (ms: number | null) => (ms === null ? 'n/a' : ms < 0 ? `-${formatDuration(-ms)}` : formatDuration(ms));

export async function report(ctx: Context, opts: ReportOptions): Promise<void> {
  const since = opts.since ?? '90d';
  const sinceMs = parseDuration(since);
  if (sinceMs === undefined) throw new InvalidInputError(`--since ${since} is not a duration`, DURATION_HINT);
  const lc = ctx.config();
  const now = ctx.clock.now().getTime();
  const includeDrills = Boolean(opts.includeDrills);
  const threshold = lc.config.thresholds.success_rate;
  const card = new ScorecardBuilder({ threshold, providers: Object.keys(lc.config.providers) });
  const kinds = new Map<string, number>();
  let counted = 0;
  let rehearsalCount = 0;
  let skipped = 0;
  let cancelled = 0;
  const store = await ctx.store();
  // one incident at a time, each reduced to its part in the scorecard: a directory store keeps
  // the parts (<store>/.scorecard.json) and reads again only the timelines that changed since
  await store.eachDerived<ScorecardPart>(
    {
      name: 'scorecard',
      // another payctl release (whose facts may be read differently) or threshold: every part is computed again
      version: `${SCORECARD_PART_VERSION} payctl ${packageVersion()} threshold ${card.threshold}`,
      derive: async (id) => scorecardPart(await digestIncident(store, id), card.threshold),
    },
    ({ id, value: part, error }) => {
      if (error) {
        skipped++;
        ctx.out.warn(`skipping incident ${id}: ${error.message}`);
        return;
      }
      if (!inPeriod(part.opened_at, sinceMs, now)) return;
      if (cancelledByMistake(part)) {
        cancelled++; // opened by mistake: says nothing about a provider
        return;
      }
      const kind = rehearsalKind(part);
      if (kind) {
        rehearsalCount++;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        if (!includeDrills) return;
      }
      counted++;
      card.addPart(id, part);
    },
  );
  const kindText = [...kinds].map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ');
  const rehearsalNote = !rehearsalCount
    ? undefined
    : includeDrills
      ? `Includes ${rehearsalCount} rehearsal${rehearsalCount === 1 ? '' : 's'} (${kindText}): --include-drills.`
      : `${rehearsalCount} rehearsal${rehearsalCount === 1 ? '' : 's'} excluded (${kindText}): they are not provider behaviour; pass --include-drills to count them.`;
  const cancelledNote = cancelled
    ? `${cancelled} cancelled incident${cancelled === 1 ? '' : 's'} excluded (opened by mistake: payctl incident cancel).`
    : undefined;
  const rows: ScorecardRow[] = card.rows();
  if (opts.json) {
    ctx.out.json({
      since,
      incidents_considered: counted,
      skipped,
      cancelled_excluded: cancelled,
      include_drills: includeDrills,
      rehearsals_excluded: includeDrills ? 0 : rehearsalCount,
      rehearsals_included: includeDrills ? rehearsalCount : 0,
      providers: rows,
      definitions: SCORECARD_DEFINITIONS,
    });
    return;
  }
  ctx.out.line(`Provider scorecard: ${counted} incident${counted === 1 ? '' : 's'} opened in the last ${since} (${store.location})`);
  ctx.out.line();
  if (!rows.length) {
    ctx.out.line('No providers configured and none seen in incidents.');
    if (rehearsalNote) ctx.out.line(rehearsalNote);
    if (cancelledNote) ctx.out.line(cancelledNote);
    return;
  }
  const header = [
    'Provider',
    'Incidents',
    'Total downtime',
    'Longest',
    'MTTR',
    'Status page admission',
    'Escalation response',
    'Failovers away',
    'Traffic away',
  ];
  const body = rows.map((r) => [
    r.provider,
    `${r.incidents}${r.open_incidents ? ` (${r.open_incidents} open)` : ''}`,
    r.incidents ? d(r.total_downtime_ms) : '-',
    d(r.longest_downtime_ms),
    d(r.mean_time_to_resolve_ms),
    r.incidents
      ? `${d(r.status_page_admission.mean_delay_ms)}${r.status_page_admission.never_admitted ? ` (never: ${r.status_page_admission.never_admitted})` : ''}`
      : '-',
    r.escalation_response.escalations
      ? `${d(r.escalation_response.mean_ms)} (${r.escalation_response.answered}/${r.escalation_response.escalations} answered)`
      : '-',
    String(r.failovers_away),
    r.traffic_away_ms ? d(r.traffic_away_ms) : '-',
  ]);
  for (const l of await formatTable([header, ...body])) ctx.out.line(l);
  if (rehearsalNote) ctx.out.line(rehearsalNote);
  if (cancelledNote) ctx.out.line(cancelledNote);
  ctx.out.line();
  ctx.out.line('Definitions:');
  for (const def of SCORECARD_DEFINITIONS) ctx.out.line(`  ${def.column}: ${def.definition}`);
}

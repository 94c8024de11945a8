/**
 * Everything the postmortem shows, computed in TypeScript from the timeline
 * (the template only lays it out). Text that people typed is escaped for
 * Markdown and redacted here.
 */
import { isOpen, type IncidentState } from '../timeline/replay.js';
import type { PostmortemDigest } from './digest.js';
import type { Facts } from './facts.js';
import { referencePoints, responseMetrics, IMPACT_START_DEFINITION, type MetricValue } from './metrics.js';
import { computeImpact, type Business, type Impact } from './impact.js';
import {
  escalationRoles,
  providerPerformance,
  providersInvolved,
  ADMISSION_DEFINITION,
  ESCALATION_RESPONSE_DEFINITION,
  type ProviderPerformance,
} from './providers.js';
import { deriveHints, type Hints } from './hints.js';
import { buildNarrative } from './narrative.js';
import { phaseGantt, successRateChart } from './charts.js';
import type { SharesSection } from './shares.js';
import type { TimelineTable } from './timeline-table.js';
import { cell, inline, percent } from './markdown.js';
import { clockTime, formatTime } from './time.js';

export interface PostmortemInput {
  /** The incident's timeline digested in one pass, with its timeline table (digest.ts). */
  digest: PostmortemDigest;
  /** config.routing.primary, when configured. */
  primary?: string;
  threshold?: number;
  business?: Business;
  /** When the draft was generated (a fixed clock in tests). */
  generatedAt: string;
  /** When the timeline's hash chain is broken: the sentence that heads the draft. */
  chainWarning?: string;
}

export interface PostmortemData {
  generated_at: string;
  draft_status: { open: boolean; banner?: string };
  /** Set when the timeline's hash chain is broken: printed at the top of the draft, whatever the template. */
  integrity_warning?: string;
  summary: {
    id: string;
    title: string;
    title_cell: string;
    playbook: string;
    severity: string;
    status: string;
    source: string;
    dry_run: boolean;
    opened_at: string;
    providers: string;
    actors: string;
    narrative: string;
  };
  impact: Impact & { start_display: string; business_lines: string[] };
  metrics: (MetricValue & { definition_cell: string; note_cell: string })[];
  impact_start_definition: string;
  timeline: TimelineTable;
  charts: { gantt?: string; success_rate?: string };
  shares: SharesSection;
  actions: {
    switches: { time: string; from: string; to: string; before: string; after: string; verified: string; kind: string; outcome: string }[];
    notifications: { time: string; template: string; channel: string; result: string }[];
    escalations: { time: string; provider: string; action: string; channels: string; response: string }[];
    manual: { time: string; step: string; done: string; not_done: string }[];
  };
  providers: (ProviderPerformance & {
    row: { provider: string; worst: string; admitted: string; admission: string; escalation: string; failovers: number };
    proposal_lines: string[];
  })[];
  provider_definitions: { admission: string; escalation: string };
  hints: Hints;
  gaps: string[];
  facts_counts: {
    events: number;
    readings: number;
    checks: number;
    switches: number;
    notifications: number;
    escalations: number;
    manual: number;
  };
}

const WHERE_MISSING: Record<string, string> = {
  detected: 'No detected milestone: time to detect is not recorded, and the other metrics are measured from the incident opening.',
  acknowledged: 'No acknowledged milestone: time to acknowledge is not recorded.',
  mitigated: 'No mitigated milestone: time to mitigate and the customer-facing window are not recorded (or run to resolution).',
  resolved: 'No resolved milestone: time to resolve and the end of impact are not recorded.',
  failed_back: 'No failed_back milestone: time to fail back is not recorded (traffic may still be on a backup, or never left the primary).',
};

export function buildPostmortemData(input: PostmortemInput): PostmortemData {
  const { problems, state, facts } = input.digest;
  const threshold = input.threshold ?? 0.95;
  const points = referencePoints(state, facts, threshold);
  const open = isOpen(state);
  // a cancelled incident was not an outage: its response metrics are not figures anyone should read
  const metrics = state.cancelled ? responseMetrics(points).map((m) => cancelledMetric(m, state.cancelled!)) : responseMetrics(points);
  const impact = computeImpact(points, facts, { primary: input.primary, threshold, business: input.business, open });
  const providers = providerPerformance(facts, points, input.primary);
  const hints = deriveHints(state, facts, metrics, providers, impact);

  const gaps: string[] = [];
  if (open)
    gaps.push(
      `The incident is still open (status: ${state.status}); every figure below is as of the last event, ${formatTime(state.updated_at)}.`,
    );
  for (const m of ['detected', 'acknowledged', 'mitigated', 'resolved', 'failed_back'] as const)
    if (!state.milestones[m]) gaps.push(WHERE_MISSING[m]!);
  if (!input.digest.meaningful)
    gaps.push('Nothing was recorded after the incident was opened: no steps, notes, milestones or status changes.');
  for (const p of problems) gaps.push(`Timeline line ${p.line}: ${p.message}.`);
  for (const u of facts.unknownTypes)
    gaps.push(
      `Event ${u.seq} has a type this payctl does not know ("${u.type}", written by a newer payctl?); it is listed in the timeline but not counted in any figure.`,
    );
  if (facts.reopens.length)
    gaps.push(
      `The incident was reopened ${facts.reopens.length} time${facts.reopens.length === 1 ? '' : 's'}; time to resolve uses the last resolution.`,
    );
  if (state.dry_run) gaps.push('This was a dry run: no provider was actually switched, notified or paged.');
  if (state.cancelled) gaps.push(`The incident was cancelled (${state.cancelled.reason}): its response metrics are not counted.`);

  const business_lines: string[] = [];
  if (impact.business) {
    const b = impact.business;
    if (b.failed_orders !== null)
      business_lines.push(
        `Estimated failed orders: ${b.failed_orders.toLocaleString('en-US')}; revenue at risk: ${b.revenue_at_risk!.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${b.currency}.`,
      );
    else
      business_lines.push(
        `Estimated failed orders: not recorded (${b.failure_share_source}); at most ${b.upper_bound_orders.toLocaleString('en-US')} orders, ${b.upper_bound_revenue.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${b.currency}.`,
      );
    business_lines.push(`Formula: ${b.formula}.`);
    if (b.failure_share !== null) business_lines.push(`Failure share: ${b.failure_share_source} (${percent(b.failure_share, 2)}).`);
  }

  return {
    generated_at: input.generatedAt,
    ...(input.chainWarning ? { integrity_warning: input.chainWarning } : {}),
    draft_status: {
      open,
      banner: state.cancelled
        ? `CANCELLED: incident ${state.id} was cancelled by ${state.cancelled.by} at ${formatTime(state.cancelled.at)} (${state.cancelled.reason}). It was not counted as an outage: no response metrics, and the provider scorecard leaves it out.`
        : open
          ? `DRAFT: incident ${state.id} is still open (status: ${state.status}, last event ${formatTime(state.updated_at)}). Figures will change; generate the postmortem again after it is resolved.`
          : undefined,
    },
    summary: {
      id: state.id,
      title: inline(state.title),
      title_cell: cell(state.title),
      playbook: cell(state.playbook ?? 'none (ad hoc)'),
      severity: state.severity,
      status: state.status,
      source: cell(state.source),
      dry_run: state.dry_run,
      opened_at: formatTime(state.opened_at),
      providers: cell(providersInvolved(facts).join(', ') || 'none recorded'),
      actors: cell(state.actors.join(', ')),
      narrative: buildNarrative(state, facts, points, providers, impact),
    },
    impact: { ...impact, start_display: formatTime(impact.start), business_lines: business_lines.map(inline) },
    metrics: metrics.map((m) => ({ ...m, definition_cell: cell(m.definition), note_cell: cell(m.note ?? '') })),
    impact_start_definition: IMPACT_START_DEFINITION,
    timeline: input.digest.table.table(points.impact_start),
    charts: { gantt: phaseGantt(points, impact), success_rate: successRateChart(facts.readings) },
    shares: input.digest.shares.section(input.primary, points.resolved ?? points.last_event),
    actions: {
      switches: facts.switches.map((s) => ({
        time: formatTime(s.at),
        from: cell(s.from ?? '?'),
        to: cell(s.to),
        before: cell(s.before.join(' → ')),
        after: cell(s.after.join(' → ')),
        verified: s.outcome !== 'ok' || s.dry_run || s.unchanged ? 'n/a' : s.verified ? 'yes' : 'no',
        kind: `${s.failback ? 'failback' : 'failover'}${s.dry_run ? ' (dry run)' : s.unchanged ? ' (no change)' : ''}`,
        outcome: cell(
          s.outcome === 'ok'
            ? s.dry_run
              ? 'dry run: nothing written'
              : s.unchanged
                ? `traffic already on ${s.to}: nothing written`
                : s.rolled_back
                  ? 'rolled back'
                  : 'ok'
            : `${s.outcome}${s.reason ? `: ${s.reason}` : ''}`,
        ),
      })),
      notifications: facts.notifications.flatMap((n) =>
        (n.channels.length ? n.channels : [{ name: '(none)', ok: false, error: n.reason ?? n.outcome }]).map((c) => ({
          time: formatTime(n.at),
          template: cell(n.template),
          channel: cell(c.name),
          result: cell(c.ok ? 'sent' : `failed${c.error ? `: ${c.error}` : ''}`),
        })),
      ),
      escalations: escalationRows(facts, providers),
      manual: facts.manuals.map((m) => ({
        time: formatTime(m.at),
        step: cell(`${m.step}${state.steps[m.step] && state.steps[m.step]!.title !== m.step ? ` (${state.steps[m.step]!.title})` : ''}`),
        done: cell(
          m.marked_done
            ? 'marked done by responder'
            : m.unattended
              ? 'not confirmed: no person to confirm (instructions shown)'
              : m.checked.length
                ? m.checked.join('; ')
                : m.done
                  ? 'done'
                  : m.unchecked.length
                    ? 'nothing ticked'
                    : 'done',
        ),
        not_done: cell(m.unchecked.join('; ') || '-'),
      })),
    },
    providers: providers.map((p) => ({
      ...p,
      row: {
        provider: cell(p.provider),
        worst: cell(p.worst_status ?? 'not read'),
        admitted: p.admitted_at ? cell(`${formatTime(p.admitted_at)} (${p.admitted_source})`) : 'not recorded',
        admission: cell(p.admission_display),
        escalation: cell(
          p.escalations.length === 0
            ? 'not escalated'
            : p.escalations.length === 1
              ? p.escalations[0]!.response_display
              : p.escalations.map((e) => `${clockTime(e.at)}: ${e.response_display}`).join('; '),
        ),
        failovers: p.failovers_away,
      },
      proposal_lines: [
        ...p.proposals.map((n) => inline(`${formatTime(n.at)}, ${n.actor}: ${n.text}`)),
        ...(p.proposals_total > p.proposals.length
          ? [
              `… and ${p.proposals_total - p.proposals.length} more notes naming ${p.provider} (payctl incident export ${state.id} --format md)`,
            ]
          : []),
      ],
    })),
    provider_definitions: { admission: ADMISSION_DEFINITION, escalation: ESCALATION_RESPONSE_DEFINITION },
    hints: {
      went_well: hints.went_well.map(inline),
      went_wrong: hints.went_wrong.map(inline),
      action_items: hints.action_items.map(inline),
      notes: hints.notes.map(inline),
    },
    gaps: gaps.map(inline),
    facts_counts: {
      events: input.digest.events,
      readings: facts.readings.length,
      checks: facts.checks.length,
      switches: facts.switches.length,
      notifications: facts.notifications.length,
      escalations: facts.escalations.length,
      manual: facts.manuals.length,
    },
  };
}

/** Every escalate step, saying which ones awaited the provider's response (see escalationRoles). */
function escalationRows(facts: Facts, providers: ProviderPerformance[]): PostmortemData['actions']['escalations'] {
  const roles = escalationRoles(facts.escalations);
  const perf = new Map(providers.map((p) => [p.provider, p]));
  return facts.escalations.map((e, i) => {
    const role = roles[i]!;
    let response: string;
    if (role.role === 'escalation') {
      const r = perf.get(e.provider)?.escalations.find((x) => x.at === e.at);
      response = r?.response_at ? `${formatTime(r.response_at)}, ${r.response_display}` : (r?.response_display ?? 'no response recorded');
    } else if (role.role === 'follow_up')
      response = `n/a: follow-up of the ${clockTime(facts.escalations[role.first]!.at)} escalation (same dedup key)`;
    else if (role.role === 'own_action') response = `n/a: our own ${e.action}, not an escalation`;
    else response = `n/a: not sent (${role.why})`;
    return {
      time: formatTime(e.at),
      provider: cell(e.provider),
      action: cell(e.action),
      channels: cell(
        e.dry_run
          ? `dry run: ${e.channels.map((c) => c.name).join(', ') || 'no channels'}`
          : e.channels.map((c) => `${c.name} ${c.ok ? 'sent' : `failed${c.error ? ` (${c.error})` : ''}`}`).join(', ') || e.outcome,
      ),
      response: cell(response),
    };
  });
}

function cancelledMetric(m: MetricValue, c: NonNullable<IncidentState['cancelled']>): MetricValue {
  return { ...m, ms: null, value: 'n/a (cancelled)', note: `the incident was cancelled: ${c.reason}` };
}

/** The one-paragraph story of the incident, built from the facts (never invented). */
import type { IncidentState } from '../timeline/replay.js';
import { movedTraffic, type Facts } from './facts.js';
import type { ReferencePoints } from './metrics.js';
import type { ProviderPerformance } from './providers.js';
import { formatDuration } from '../duration.js';
import { between, clockTime, formatTime } from './time.js';
import { inline, percent } from './markdown.js';
import type { Impact } from './impact.js';
import { isBuiltInIncident } from '../engine/built-in-steps.js';

export function buildNarrative(
  state: IncidentState,
  facts: Facts,
  points: ReferencePoints,
  providers: ProviderPerformance[],
  impact: Impact,
): string {
  const parts: string[] = [];
  parts.push(`The first recorded sign of the problem was at ${formatTime(points.impact_start)} (${points.impact_start_source}).`);
  // payctl failover/failback build a one-step playbook of their own: the command is named, not a playbook
  const builtIn = isBuiltInIncident(state);
  const how = state.playbook && !builtIn ? ` and worked through playbook ${state.playbook}` : '';
  const via = builtIn ? `payctl ${state.source}` : state.source;
  parts.push(
    points.detected
      ? `It was detected at ${clockTime(points.detected)} UTC; incident ${state.id} (${state.severity}) was opened at ${clockTime(state.opened_at)} via ${via}${how}.`
      : `Incident ${state.id} (${state.severity}) was opened at ${clockTime(state.opened_at)} via ${via}${how}; no detection time was recorded.`,
  );
  const down = providers.filter((p) => p.worst_status && p.worst_status !== 'operational' && p.worst_status !== 'unknown');
  if (down.length)
    parts.push(`Status pages showed ${down.map((p) => `${p.provider} as ${p.worst_status!.replace(/_/g, ' ')}`).join(', ')}.`);
  const ok = facts.switches.filter(movedTraffic);
  const away = ok.filter((s) => !s.failback);
  const back = ok.filter((s) => s.failback);
  if (away.length)
    parts.push(
      `Traffic was moved ${away.map((s) => `from ${s.from ?? '?'} to ${s.to} at ${clockTime(s.at)}${s.verified ? ' (verified)' : ' (not verified)'}`).join(', then ')}.`,
    );
  const failedSwitches = facts.switches.filter((s) => s.outcome !== 'ok');
  if (failedSwitches.length) parts.push(`${failedSwitches.length} switch attempt${failedSwitches.length === 1 ? '' : 's'} failed.`);
  const sent = new Set(facts.notifications.flatMap((n) => n.channels.filter((c) => c.ok).map((c) => c.name)));
  if (sent.size)
    parts.push(
      `Customers and the team were told through ${[...sent].join(', ')} (${facts.notifications.length} message${facts.notifications.length === 1 ? '' : 's'}).`,
    );
  for (const p of providers) {
    if (!p.escalations.length) continue;
    const first = p.escalations[0]!;
    const more = p.escalations.length > 1 ? ` (${p.escalations.length} separate escalations)` : '';
    parts.push(
      `We escalated to ${p.provider} at ${clockTime(first.at)}${more}; ${first.response_ms !== null ? `it responded after ${formatDuration(first.response_ms)}` : 'no response was recorded'}.`,
    );
  }
  if (points.mitigated) {
    const rec = impact.recovery;
    parts.push(
      `Impact was marked mitigated at ${clockTime(points.mitigated)}, ${formatDuration(between(points.impact_start, points.mitigated) ?? 0)} after it started` +
        (rec?.below
          ? rec.recovered_at
            ? `, but the success rate stayed below ${percent(impact.success_rate.threshold, 0)} until ${clockTime(rec.recovered_at)}.`
            : `, but the success rate stayed below ${percent(impact.success_rate.threshold, 0)} in every later reading.`
          : '.'),
    );
  }
  if (back.length) parts.push(`Traffic returned to ${back[back.length - 1]!.to} at ${clockTime(back[back.length - 1]!.at)}.`);
  if (facts.reopens.length)
    parts.push(`The incident was reopened ${facts.reopens.length} time${facts.reopens.length === 1 ? '' : 's'} after being resolved.`);
  if (state.status === 'resolved' && points.resolved)
    parts.push(
      `It was resolved at ${clockTime(points.resolved)}, ${formatDuration(between(points.impact_start, points.resolved) ?? 0)} after the first sign.`,
    );
  else parts.push(`The incident is still open (status: ${state.status}) as of ${formatTime(state.updated_at)}.`);
  return inline(parts.join(' '));
}

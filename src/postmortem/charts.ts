/**
 * Mermaid charts that GitHub and most Markdown viewers draw: a gantt of the
 * phases (detected → mitigated → resolved) and an xychart of the success rate.
 */
import type { Reading } from './facts.js';
import type { Impact } from './impact.js';
import type { ReferencePoints } from './metrics.js';
import { clockTime, toMs } from './time.js';

/** Mermaid gantt dates: "2026-03-14 02:03:04" (UTC). */
function ganttDate(iso: string): string {
  return new Date(toMs(iso) ?? 0).toISOString().slice(0, 19).replace('T', ' ');
}

/** Gantt of the phases; undefined when the record has no phases to draw. */
export function phaseGantt(points: ReferencePoints, impact: Impact): string | undefined {
  const end = points.resolved ?? points.last_event;
  const detected = points.detected ?? points.opened;
  const rows: string[] = [];
  const task = (label: string, state: string, id: string, from: string, to: string) => {
    if ((toMs(to) ?? 0) <= (toMs(from) ?? 0)) return;
    rows.push(`    ${label} :${state}${id}, ${ganttDate(from)}, ${ganttDate(to)}`);
  };
  rows.push('  section Incident');
  task('Until detected', 'crit, ', 'detect', points.impact_start, detected);
  task(
    points.mitigated ? 'Detected to mitigated' : 'Detected, not mitigated',
    points.mitigated ? 'active, ' : 'crit, ',
    'mitigate',
    detected,
    points.mitigated ?? end,
  );
  if (points.mitigated) task(points.resolved ? 'Mitigated to resolved' : 'Mitigated, still open', '', 'resolve', points.mitigated, end);
  if (impact.backup.intervals.length) {
    rows.push('  section Routing');
    impact.backup.intervals.forEach((i, n) => task(`On ${i.provider}`, '', `backup${n}`, i.from, i.to ?? end));
  }
  if (rows.length <= 1) return undefined;
  return ['gantt', '  title Incident phases (UTC)', '  dateFormat YYYY-MM-DD HH:mm:ss', '  axisFormat %H:%M', ...rows].join('\n');
}

/** At most this many points in the success-rate chart; longer series are sampled, keeping the lowest reading. */
export const MAX_CHART_POINTS = 40;

export function successRateChart(readings: Reading[]): string | undefined {
  if (readings.length < 2) return undefined;
  let pts = readings;
  if (readings.length > MAX_CHART_POINTS) {
    const step = readings.length / MAX_CHART_POINTS;
    const picked = new Set<number>();
    for (let i = 0; i < MAX_CHART_POINTS; i++) picked.add(Math.floor(i * step));
    picked.add(readings.length - 1);
    let lo = 0;
    readings.forEach((r, i) => {
      if (r.value < readings[lo]!.value) lo = i;
    });
    picked.add(lo);
    pts = [...picked].sort((a, b) => a - b).map((i) => readings[i]!);
  }
  // readings in the same second would share a label, and a categorical axis merges those: number the repeats
  const seen = new Map<string, number>();
  const labels = pts
    .map((r) => {
      const t = clockTime(r.at);
      const n = (seen.get(t) ?? 0) + 1;
      seen.set(t, n);
      return `"${n === 1 ? t : `${t} #${n}`}"`;
    })
    .join(', ');
  const values = pts.map((r) => (r.value * 100).toFixed(1)).join(', ');
  return [
    'xychart-beta',
    '  title "Payment success rate (%)"',
    `  x-axis [${labels}]`,
    '  y-axis "Success rate (%)" 0 --> 100',
    `  line [${values}]`,
  ].join('\n');
}

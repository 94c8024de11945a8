/**
 * Shares in the postmortem: how traffic was split over time (from switches
 * with shares and canary stages), time on the backup weighted by share (an
 * hour at 10% on the backup is six minutes of backup traffic), a chart of the
 * primary's share, and the failback stages with the success rates they held at.
 * Reads only the timeline's events.
 */
import { formatDuration } from '../duration.js';
import type { TimelineEvent } from '../timeline/events.js';
import { cell, percent } from './markdown.js';
import { clockTime, formatTime, toMs } from './time.js';

interface Share {
  provider: string;
  percent: number;
}

export interface SplitChange {
  at: string;
  split: Share[];
}

export interface StageRow {
  time: string;
  step: string;
  stage: number;
  share: string;
  result: string;
  success_rate: string;
  attempts: string;
  note: string;
}

export interface SharesSection {
  /** True when any split below 100% was recorded: the sections below are shown. */
  used: boolean;
  weighted_ms: number;
  weighted_display: string;
  definition: string;
  stages: StageRow[];
  chart?: string;
}

export const WEIGHTED_DEFINITION =
  'The integral of the share of payments not on the primary over time, from the recorded splits (a switch without shares counts as 100% to its target), up to the end (or the last event).';

const asSplit = (v: unknown): Share[] | undefined =>
  Array.isArray(v) && v.every((s) => s && typeof s.provider === 'string' && typeof s.percent === 'number') ? (v as Share[]) : undefined;

/**
 * The shares of one timeline, collected one event at a time: every change of
 * where payments went (oldest first), the provider traffic left at the first
 * switch, and the canary stages that held or halted.
 */
export class SharesCollector {
  private readonly changes: SplitChange[] = [];
  /** Where traffic was before the first switch that names it. */
  private firstFrom: string | undefined;
  private readonly stages: StageRow[] = [];

  add(e: TimelineEvent): void {
    if (e.type === 'step_completed' && e.data.step_type === 'switch_provider') {
      const r = e.data.result ?? {};
      if (this.firstFrom === undefined && typeof r.from === 'string') this.firstFrom = String(r.from);
      if (e.data.outcome !== 'ok' || r.dry_run || r.unchanged || r.rolled_back || typeof r.to !== 'string') return;
      this.changes.push({ at: e.time, split: asSplit(r.split_after) ?? [{ provider: r.to, percent: 100 }] });
    } else if (e.type === 'traffic_stage') {
      const d = e.data;
      if (d.result === 'switched' && d.split) this.changes.push({ at: e.time, split: d.split });
      if (d.result === 'halted' && d.rolled_back_to) this.changes.push({ at: e.time, split: d.rolled_back_to });
      if (d.result === 'switched') return;
      this.stages.push({
        time: formatTime(e.time),
        step: cell(e.step ?? '?'),
        stage: d.stage + 1,
        share: `${d.share}% to ${cell(d.to)}`,
        result: d.result,
        success_rate: typeof d.success_rate === 'number' ? percent(d.success_rate, 1) : 'no data',
        attempts: typeof d.attempts === 'number' ? String(Math.round(d.attempts)) : 'not counted',
        note: cell(
          d.result === 'halted' ? `${d.reason ?? 'halted'}${d.rolled_back_to ? `; rolled back to ${describe(d.rolled_back_to)}` : ''}` : '',
        ),
      });
    }
  }

  /** The postmortem's shares section, up to `endAt`; without routing.primary, the provider traffic left at the first switch is the primary. */
  section(primary: string | undefined, endAt: string): SharesSection {
    const changes = this.changes;
    const used = changes.some((c) => c.split.some((s) => s.percent < 100));
    const main = primary ?? this.firstFrom ?? '';
    const weighted = weightedAway(changes, main, endAt);
    return {
      used,
      weighted_ms: weighted,
      weighted_display: changes.length ? formatDuration(weighted) : 'none',
      definition: WEIGHTED_DEFINITION,
      stages: this.stages,
      ...(used && main ? { chart: splitChart(changes, main, endAt) } : {}),
    };
  }

  /** The provider that had all traffic before the first switch, and its share-weighted time away; undefined when nothing moved. */
  trafficAway(endAt: string): { provider: string; ms: number } | undefined {
    const provider = this.firstFrom;
    if (!provider || this.changes.length === 0) return undefined;
    return { provider, ms: Math.round(weightedAway(this.changes, provider, endAt)) };
  }
}

/** The integral of the share of payments not on `main` over time, up to `endAt`. */
function weightedAway(changes: SplitChange[], main: string, endAt: string): number {
  let weighted = 0;
  changes.forEach((c, i) => {
    const from = toMs(c.at) ?? 0;
    const to = toMs(changes[i + 1]?.at ?? endAt) ?? from;
    weighted += Math.max(0, to - from) * ((100 - primaryShare(c.split, main)) / 100);
  });
  return weighted;
}

function primaryShare(split: Share[], primary: string): number {
  return split.find((s) => s.provider === primary)?.percent ?? 0;
}

function describe(split: Share[]): string {
  return split.map((s) => `${s.provider} ${s.percent}%`).join(', ');
}

/** A stepped line of the primary's share over time (a point just before each change keeps the steps flat). */
export function splitChart(changes: SplitChange[], primary: string, endAt: string): string {
  const pts: { at: string; value: number }[] = [];
  let prev = 100;
  for (const c of changes) {
    const v = primaryShare(c.split, primary);
    if (pts.length) pts.push({ at: new Date((toMs(c.at) ?? 0) - 1).toISOString(), value: prev });
    else pts.push({ at: new Date((toMs(c.at) ?? 0) - 1).toISOString(), value: 100 });
    pts.push({ at: c.at, value: v });
    prev = v;
  }
  pts.push({ at: endAt, value: prev });
  const seen = new Map<string, number>();
  const labels = pts
    .map((p) => {
      const t = clockTime(p.at);
      const n = (seen.get(t) ?? 0) + 1;
      seen.set(t, n);
      return `"${n === 1 ? t : `${t} #${n}`}"`;
    })
    .join(', ');
  return [
    'xychart-beta',
    `  title "Share of payments on ${primary} (%)"`,
    `  x-axis [${labels}]`,
    '  y-axis "Share (%)" 0 --> 100',
    `  line [${pts.map((p) => p.value).join(', ')}]`,
  ].join('\n');
}

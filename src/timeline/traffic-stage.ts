/**
 * One line for a canary stage (a traffic_stage event), the same words in
 * incident show, follow, the live page and the postmortem's timeline.
 */
import { describeSplit } from '../providers/routing/split.js';
import type { EventDataMap } from './events.js';

/** ": 98.1% over 160 payments", ": success rate unreadable", or nothing when the stage read nothing. */
function evidence(d: EventDataMap['traffic_stage']): string {
  if (d.success_rate === undefined && d.attempts === undefined) return '';
  const rate = d.success_rate;
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return ': success rate unreadable';
  return `: ${(rate * 100).toFixed(1)}% over ${Math.round(d.attempts ?? 0)} payments`;
}

export function describeTrafficStage(d: EventDataMap['traffic_stage']): string {
  const stage = `canary stage ${d.stage + 1} (${d.share}% to ${d.to})`;
  switch (d.result) {
    case 'switched':
      return `${stage} switched${d.split ? `: ${describeSplit(d.split)}` : ''}`;
    case 'held':
      return `${stage} held${evidence(d)}`;
    case 'halted':
      return `${stage} halted${evidence(d)}${d.reason ? ` (${d.reason})` : ''}${d.rolled_back_to ? `; rolled back to ${describeSplit(d.rolled_back_to)}` : ''}`;
  }
}

/** The postmortem's timeline table: every event when short, the significant ones when long. */
import type { TimelineEvent } from '../timeline/events.js';
import { describeEvent, isRoutine } from './describe.js';
import { cell } from './markdown.js';
import { formatTime, sinceStart } from './time.js';

export const MAX_TIMELINE_ROWS = 150;

export interface TimelineRow {
  time: string;
  since_start: string;
  actor: string;
  event: string;
}
export interface TimelineTable {
  rows: TimelineRow[];
  omitted: number;
  omitted_note?: string;
}

export function timelineTable(events: TimelineEvent[], start: string): TimelineTable {
  let chosen = events;
  let note: string | undefined;
  if (events.length > MAX_TIMELINE_ROWS) {
    chosen = events.filter((e) => !isRoutine(e));
    note = 'routine events (step starts, inputs, successful status checks and metric readings, reminders) are left out';
    if (chosen.length > MAX_TIMELINE_ROWS) {
      const half = MAX_TIMELINE_ROWS / 2;
      chosen = [...chosen.slice(0, half), ...chosen.slice(-half)];
      note += `; of the rest, the first and last ${half} are shown`;
    }
  }
  const rows = chosen.map((e) => ({
    time: formatTime(e.time),
    since_start: sinceStart(start, e.time),
    actor: cell(e.actor),
    event: cell(describeEvent(e)),
  }));
  const omitted = events.length - chosen.length;
  return {
    rows,
    omitted,
    omitted_note: omitted
      ? `${omitted.toLocaleString('en-US')} of ${events.length.toLocaleString('en-US')} events not shown: ${note}. The full log: payctl incident export <id> --format md.`
      : undefined,
  };
}

/**
 * The postmortem's timeline table: every event when short, the significant
 * ones when long. Built one event at a time, keeping only the events that can
 * still be shown (at most 2 × MAX_TIMELINE_ROWS), never the whole timeline.
 */
import type { TimelineEvent } from '../timeline/events.js';
import { describeEvent, isRoutine } from './describe.js';
import { cell } from './markdown.js';
import { formatTime, sinceStart } from './time.js';

export const MAX_TIMELINE_ROWS = 150;
const HALF = MAX_TIMELINE_ROWS / 2;

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

export class TimelineTableBuilder {
  private count = 0;
  /** The first MAX_TIMELINE_ROWS events: the whole table of a short timeline. */
  private readonly first: TimelineEvent[] = [];
  private significant = 0;
  /** The first MAX_TIMELINE_ROWS significant (not routine) events. */
  private readonly firstSignificant: TimelineEvent[] = [];
  /** The last HALF significant events, oldest first once `ringStart` is applied. */
  private readonly lastSignificant: TimelineEvent[] = [];
  private ringStart = 0;

  add(e: TimelineEvent): void {
    this.count++;
    if (this.first.length < MAX_TIMELINE_ROWS) this.first.push(e);
    if (isRoutine(e)) return;
    this.significant++;
    if (this.firstSignificant.length < MAX_TIMELINE_ROWS) this.firstSignificant.push(e);
    if (this.lastSignificant.length < HALF) this.lastSignificant.push(e);
    else {
      this.lastSignificant[this.ringStart] = e;
      this.ringStart = (this.ringStart + 1) % HALF;
    }
  }

  /** The table, with times since `start` (the impact start, known once every event is seen). */
  table(start: string): TimelineTable {
    let chosen = this.first;
    let note: string | undefined;
    if (this.count > MAX_TIMELINE_ROWS) {
      chosen = this.firstSignificant;
      note = 'routine events (step starts, inputs, successful status checks and metric readings, reminders) are left out';
      if (this.significant > MAX_TIMELINE_ROWS) {
        const last = [...this.lastSignificant.slice(this.ringStart), ...this.lastSignificant.slice(0, this.ringStart)];
        chosen = [...this.firstSignificant.slice(0, HALF), ...last];
        note += `; of the rest, the first and last ${HALF} are shown`;
      }
    }
    const rows = chosen.map((e) => ({
      time: formatTime(e.time),
      since_start: sinceStart(start, e.time),
      actor: cell(e.actor),
      event: cell(describeEvent(e)),
    }));
    const omitted = this.count - chosen.length;
    return {
      rows,
      omitted,
      omitted_note: omitted
        ? `${omitted.toLocaleString('en-US')} of ${this.count.toLocaleString('en-US')} events not shown: ${note}. The full log: payctl incident export <id> --format md.`
        : undefined,
    };
  }
}

/**
 * Replaying a timeline while it is scanned (timeline/read.ts), whichever store
 * it comes from: the events are applied as they come and not kept.
 */
import { InvalidInputError } from '../errors.js';
import type { TimelineEvent } from './events.js';
import type { TimelineProblem, TimelineVisitor } from './read.js';
import { type IncidentState, Replayer } from './replay.js';

export class ReplayVisitor implements TimelineVisitor {
  readonly problems: TimelineProblem[] = [];
  private replayer: Replayer | undefined;
  private notOpened = false;

  event(ev: TimelineEvent): void {
    if (this.replayer) this.replayer.apply(ev);
    else if (ev.type === 'incident_opened' && !this.notOpened) this.replayer = new Replayer(ev);
    else this.notOpened = true;
  }

  problem(p: TimelineProblem): void {
    this.problems.push(p);
  }

  /** The state replayed; `where` names the timeline's first line when it does not begin with incident_opened (exit 2). */
  finish(where: string): { state: IncidentState; problems: TimelineProblem[] } {
    if (!this.replayer)
      throw new InvalidInputError(`${where}: the timeline does not begin with incident_opened; it is not a payctl timeline`);
    for (const p of this.problems) this.replayer.warn(`line ${p.line}: ${p.message}`);
    return { state: this.replayer.state(), problems: this.problems };
  }
}

/**
 * An open incident as the engine holds it: the writer, and the state kept
 * current by replaying each event it appends (no second file that can drift).
 */
import type { Clock } from '../clock.js';
import type { NewEvent, TimelineEvent } from '../timeline/events.js';
import { Replayer, type IncidentState } from '../timeline/replay.js';
import { recordStatusChange } from '../timeline/status.js';
import type { TimelineProblem } from '../timeline/read.js';
import type { IncidentAppender, Store } from '../store/store.js';
import type { IncidentHandle } from './types.js';

export class IncidentSession implements IncidentHandle {
  readonly id: string;
  readonly store: Store;
  readonly appender: IncidentAppender;
  private replayer: Replayer | undefined;
  /** Called for every event appended, once it is on disk (the engine prints progress, reminders re-arm). */
  onEvent?: (e: TimelineEvent) => void;

  private constructor(store: Store, appender: IncidentAppender) {
    this.id = appender.id;
    this.store = store;
    this.appender = appender;
  }

  /** A new incident: the first append must be incident_opened. */
  static async create(store: Store, id: string, clock: Clock, actor?: string): Promise<IncidentSession> {
    return new IncidentSession(store, await store.create(id, { now: () => clock.now(), actor }));
  }

  /** An existing incident, replayed from its timeline (an unknown or malformed id is exit 2). */
  static async open(
    store: Store,
    id: string,
    clock: Clock,
    actor?: string,
  ): Promise<{ session: IncidentSession; problems: TimelineProblem[] }> {
    const { state, problems } = await store.replay(id);
    const s = new IncidentSession(store, await store.appender(id, { now: () => clock.now(), actor }));
    s.replayer = Replayer.fromState(state);
    return { session: s, problems };
  }

  /** Where an event of this incident is, for messages (store.where). */
  where(line?: number): string {
    return this.store.where(this.id, line);
  }

  state(): IncidentState {
    if (!this.replayer) throw new Error('incident not opened yet');
    return this.replayer.state();
  }

  async refresh(): Promise<IncidentState> {
    if (!this.replayer) throw new Error('incident not opened yet');
    // the whole timeline, replayed in its order: our events and theirs, as anyone reading it sees them
    this.replayer = Replayer.fromState((await this.store.replay(this.id)).state);
    return this.replayer.state();
  }

  async append(ev: NewEvent): Promise<TimelineEvent> {
    const [e] = await this.appendAll([ev]);
    return e!;
  }

  /**
   * Append several events in one lock, write and fsync (IncidentAppender.appendAll),
   * then apply each to the state and onEvent, in order, once all are on disk.
   * Only for events with nothing between them (no action, prompt or output).
   */
  async appendAll(evs: readonly NewEvent[]): Promise<TimelineEvent[]> {
    if (!this.replayer && evs.length > 0 && evs[0]!.type !== 'incident_opened')
      throw new Error('the first event of an incident must be incident_opened');
    const written = await this.appender.appendAll(evs);
    for (const e of written) {
      if (!this.replayer) {
        if (e.type !== 'incident_opened') throw new Error('the first event of an incident must be incident_opened');
        this.replayer = new Replayer(e);
      } else {
        this.replayer.apply(e);
      }
      this.onEvent?.(e);
    }
    return written;
  }
}

/**
 * Close an incident there is nothing more to do in (a rehearsal whose sandbox
 * is gone, a failover that moved no traffic): resolved, saying why.
 */
export async function closeIncident(store: Store, id: string, clock: Clock, why: string): Promise<void> {
  const { session } = await IncidentSession.open(store, id, clock);
  try {
    await recordStatusChange((ev) => session.append(ev), session.state(), 'resolved', why);
  } finally {
    await session.appender.close();
  }
}

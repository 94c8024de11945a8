/**
 * An open incident as the engine holds it: the writer, and the state kept
 * current by replaying each event it appends (no second file that can drift).
 */
import { mkdirSync } from 'node:fs';
import type { Clock } from '../clock.js';
import { asStorageError } from '../errors.js';
import type { NewEvent, TimelineEvent } from '../timeline/events.js';
import { Replayer, type IncidentState } from '../timeline/replay.js';
import { existingTimeline, incidentDir, replayFile, timelinePath } from '../timeline/store.js';
import { TimelineWriter } from '../timeline/writer.js';
import { recordStatusChange } from '../timeline/status.js';
import type { IncidentHandle } from './types.js';

export class IncidentSession implements IncidentHandle {
  readonly id: string;
  readonly dir: string;
  readonly writer: TimelineWriter;
  private replayer: Replayer | undefined;
  /** Called for every event appended, once it is on disk (the engine prints progress, reminders re-arm). */
  onEvent?: (e: TimelineEvent) => void;

  private constructor(storeDir: string, id: string, clock: Clock, actor?: string) {
    this.id = id;
    this.dir = incidentDir(storeDir, id);
    makeIncidentDir(storeDir, this.dir);
    this.writer = new TimelineWriter(timelinePath(storeDir, id), { now: () => clock.now(), actor });
  }

  /** A new incident: the first append must be incident_opened. */
  static create(storeDir: string, id: string, clock: Clock, actor?: string): IncidentSession {
    return new IncidentSession(storeDir, id, clock, actor);
  }

  /** An existing incident, replayed from its timeline. */
  static open(
    storeDir: string,
    id: string,
    clock: Clock,
    actor?: string,
  ): { session: IncidentSession; problems: { line: number; message: string }[] } {
    existingTimeline(storeDir, id); // an unknown or malformed id is exit 2, before anything is created on disk
    const s = new IncidentSession(storeDir, id, clock, actor);
    const { state, problems } = replayFile(s.writer.file);
    s.replayer = Replayer.fromState(state);
    return { session: s, problems };
  }

  state(): IncidentState {
    if (!this.replayer) throw new Error('incident not opened yet');
    return this.replayer.state();
  }

  async refresh(): Promise<IncidentState> {
    if (!this.replayer) throw new Error('incident not opened yet');
    // the whole timeline, replayed in its order: our events and theirs, as anyone reading it sees them
    this.replayer = Replayer.fromState(replayFile(this.writer.file).state);
    return this.replayer.state();
  }

  async append(ev: NewEvent): Promise<TimelineEvent> {
    const [e] = await this.appendAll([ev]);
    return e!;
  }

  /**
   * Append several events in one lock, write and fsync (TimelineWriter.appendAll),
   * then apply each to the state and onEvent, in order, once all are on disk.
   * Only for events with nothing between them (no action, prompt or output).
   */
  async appendAll(evs: readonly NewEvent[]): Promise<TimelineEvent[]> {
    if (!this.replayer && evs.length > 0 && evs[0]!.type !== 'incident_opened')
      throw new Error('the first event of an incident must be incident_opened');
    const written = await this.writer.appendAll(evs);
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
 * The store, then the incident's own directory with a plain mkdir: a
 * recursive one reports a read-only filesystem as ENOENT.
 */
function makeIncidentDir(storeDir: string, dir: string): void {
  try {
    mkdirSync(storeDir, { recursive: true });
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw asStorageError(e, dir) ?? e;
  }
}

/**
 * Close an incident there is nothing more to do in (a rehearsal whose sandbox
 * is gone, a failover that moved no traffic): resolved, saying why.
 */
export async function closeIncident(storeDir: string, id: string, clock: Clock, why: string): Promise<void> {
  const { session } = IncidentSession.open(storeDir, id, clock);
  await recordStatusChange((ev) => session.append(ev), session.state(), 'resolved', why);
}

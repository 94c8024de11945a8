/**
 * The live part of payctl serve: one store watch per incident being viewed
 * (however many browsers view it) and one watch of the incident list, each
 * turned into server-rendered HTML fragments sent to every subscriber (the
 * page's server-sent events). A feed starts with the first page or
 * subscriber, and stops LINGER_MS after the last one leaves. A watch that
 * fails (the database connection lost) ends its subscribers' streams: the
 * browsers reconnect, which starts a new watch.
 */
import type { Store } from '../store/store.js';
import type { TimelineEvent } from '../timeline/events.js';
import type { IncidentView } from './incident-view.js';
import { incidentListSection, incidentSummary, postmortemSection, timelineItems, type ListedIncidents } from './pages.js';
import { ListModel, loadView, postmortemWritten, readPostmortem } from './read-model.js';

/** A page's event stream. */
export interface Subscriber {
  send(event: string, data: string, id?: number): void;
  end(): void;
}

/** A feed nobody watches stays this long (the page just served is about to subscribe). */
const LINGER_MS = 30_000;
/** Changes this close together are one re-rendered list (a playbook run appends several events at once). */
const SETTLE_MS = 150;
/** How often a viewed incident's postmortem file is looked at. */
const POSTMORTEM_POLL_MS = 2000;

export interface FeedOptions {
  store: Store;
  /** The directory the postmortem drafts are written under (this machine's store directory). */
  storeDir: string;
  now: () => Date;
  /** A watch failed (its subscribers were ended); for stderr. */
  onError: (message: string) => void;
}

class IncidentFeed {
  readonly subs = new Set<{ sub: Subscriber; last: number }>();
  private readonly stop = new AbortController();
  private linger?: NodeJS.Timeout;
  private poll?: NodeJS.Timeout;
  private postmortemAt: number | undefined;

  constructor(
    readonly view: IncidentView,
    private readonly o: FeedOptions,
    private readonly onEnd: () => void,
  ) {
    this.postmortemAt = postmortemWritten(o.storeDir, view.id);
    o.store
      .watch(view.id, view.lastSeq, (events) => this.append(events), this.stop.signal)
      .catch((e: unknown) => {
        if (!this.stop.signal.aborted) o.onError(`watching incident ${view.id} failed: ${(e as Error).message}`);
      })
      .finally(() => this.end());
    this.poll = setInterval(() => this.checkPostmortem(), POSTMORTEM_POLL_MS);
    this.idle();
  }

  summary(): string {
    return incidentSummary(this.view, this.o.now()).text;
  }

  /** Start lingering when nobody listens. */
  idle(): void {
    clearTimeout(this.linger);
    if (!this.subs.size) this.linger = setTimeout(() => this.end(), LINGER_MS);
  }

  add(sub: Subscriber, after: number): () => void {
    clearTimeout(this.linger);
    const entry = { sub, last: after };
    this.subs.add(entry);
    // what happened since the page was rendered (or since the browser's last event, on a reconnect)
    if (after < this.view.lastSeq) {
      this.sendEvents(entry, this.view.events());
      sub.send('summary', this.summary());
    }
    return () => {
      this.subs.delete(entry);
      this.idle();
    };
  }

  private sendEvents(entry: { sub: Subscriber; last: number }, events: readonly TimelineEvent[]): void {
    const fresh = events.filter((e) => e.seq > entry.last);
    if (!fresh.length) return;
    entry.last = fresh.at(-1)!.seq;
    entry.sub.send('timeline', timelineItems(fresh, this.view.state()!.opened_at).text, entry.last);
  }

  private append(events: TimelineEvent[]): void {
    const before = this.view.lastSeq;
    for (const e of events) this.view.apply(e);
    if (this.view.lastSeq === before || !this.subs.size) return;
    const applied = this.view.events().filter((e) => e.seq > before);
    const summary = this.summary();
    for (const entry of this.subs) {
      this.sendEvents(entry, applied);
      entry.sub.send('summary', summary);
    }
  }

  private checkPostmortem(): void {
    const at = postmortemWritten(this.o.storeDir, this.view.id);
    if (at === this.postmortemAt) return;
    this.postmortemAt = at;
    const section = postmortemSection(this.view.id, readPostmortem(this.o.storeDir, this.view.id)).text;
    for (const entry of this.subs) entry.sub.send('postmortem', section);
  }

  end(): void {
    if (this.poll === undefined) return;
    clearInterval(this.poll);
    this.poll = undefined;
    clearTimeout(this.linger);
    this.stop.abort();
    for (const { sub } of this.subs) sub.end();
    this.subs.clear();
    this.onEnd();
  }
}

class ListFeed {
  readonly subs = new Set<Subscriber>();
  private readonly stop = new AbortController();
  private readonly model: ListModel;
  private linger?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;
  private rendering = false;
  private pending = false;
  private last = '';
  private ended = false;
  readonly ready: Promise<void>;

  constructor(
    private readonly o: FeedOptions,
    private readonly onEnd: () => void,
  ) {
    this.model = new ListModel(o.store);
    let started!: () => void;
    this.ready = new Promise<void>((resolve) => (started = resolve));
    o.store
      .watchList(
        () => this.changed(),
        this.stop.signal,
        async () => started(),
      )
      .catch((e: unknown) => {
        if (!this.stop.signal.aborted) o.onError(`watching the incident list failed: ${(e as Error).message}`);
      })
      .finally(() => {
        started();
        this.end();
      });
    this.linger = setTimeout(() => this.end(), LINGER_MS);
  }

  /** The incidents the list shows now. */
  incidents(): Promise<ListedIncidents> {
    return this.model.incidents(this.o.now());
  }

  private async render(): Promise<string> {
    return incidentListSection(await this.incidents(), this.o.now()).text;
  }

  async add(sub: Subscriber): Promise<() => void> {
    clearTimeout(this.linger);
    this.subs.add(sub);
    const remove = () => {
      this.subs.delete(sub);
      clearTimeout(this.linger);
      if (!this.subs.size) this.linger = setTimeout(() => this.end(), LINGER_MS);
    };
    // watching has begun: the list rendered now misses nothing that changes later
    await this.ready;
    if (this.ended) {
      sub.end();
      return remove;
    }
    this.last = await this.render();
    sub.send('incidents', this.last);
    return remove;
  }

  private changed(): void {
    if (this.rendering) {
      this.pending = true;
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => void this.broadcast(), SETTLE_MS);
  }

  private async broadcast(): Promise<void> {
    this.timer = undefined;
    this.rendering = true;
    try {
      const text = await this.render();
      if (text !== this.last) for (const s of this.subs) s.send('incidents', text);
      this.last = text;
    } catch (e) {
      this.o.onError(`reading the incident list failed: ${(e as Error).message}`);
    } finally {
      this.rendering = false;
      if (this.pending) {
        this.pending = false;
        this.changed();
      }
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    clearTimeout(this.linger);
    this.stop.abort();
    for (const s of this.subs) s.end();
    this.subs.clear();
    this.onEnd();
  }
}

/** Every feed of one server. */
export class Feeds {
  private readonly incidents = new Map<string, Promise<IncidentFeed | undefined>>();
  private list?: ListFeed;
  private closed = false;

  constructor(private readonly o: FeedOptions) {}

  /** The incident's live view (a feed started when none runs), or undefined for an unknown incident. */
  incident(id: string): Promise<IncidentFeed | undefined> {
    let feed = this.incidents.get(id);
    if (!feed) {
      feed = loadView(this.o.store, id).then((view) =>
        view && !this.closed ? new IncidentFeed(view, this.o, () => this.incidents.delete(id)) : undefined,
      );
      // an unknown incident is not remembered (it may be created later); a failed read is tried again next time
      feed.then(
        (f) => f ?? this.incidents.delete(id),
        () => this.incidents.delete(id),
      );
      this.incidents.set(id, feed);
    }
    return feed;
  }

  /** The list's feed, started on first use. */
  listFeed(): ListFeed {
    this.list ??= new ListFeed(this.o, () => (this.list = undefined));
    return this.list;
  }

  /** Every watch stopped and every stream ended. */
  async close(): Promise<void> {
    this.closed = true;
    this.list?.end();
    for (const f of [...this.incidents.values()]) (await f.catch(() => undefined))?.end();
  }
}

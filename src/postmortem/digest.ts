/**
 * One pass over an incident's timeline for the documents (the postmortem, the
 * provider scorecard): the events are replayed, their facts, shares and (for
 * the postmortem) timeline table collected as they are scanned, and none of
 * them is kept. A 100,000-event timeline costs the parsing, not the memory of
 * 100,000 events. The hash chain is checked in the same pass when asked.
 */
import type { Store } from '../store/store.js';
import type { TimelineEvent } from '../timeline/events.js';
import type { TimelineProblem, TimelineVisitor } from '../timeline/read.js';
import type { IncidentState } from '../timeline/replay.js';
import { ReplayVisitor } from '../timeline/replay-visitor.js';
import { ChainCheck, type VerifyReport } from '../timeline/verify.js';
import { FactsCollector, type Facts } from './facts.js';
import { SharesCollector } from './shares.js';
import { TimelineTableBuilder } from './timeline-table.js';

/** What the documents know of one incident once its timeline is scanned. */
export interface IncidentDigest {
  id: string;
  state: IncidentState;
  problems: TimelineProblem[];
  facts: Facts;
  shares: SharesCollector;
  /** Only when asked for (the postmortem). */
  table?: TimelineTableBuilder;
  /** How many events were read. */
  events: number;
  /** Anything recorded after the opening (a step, a note, a milestone, a status change). */
  meaningful: boolean;
  /** The hash chain checked, when asked for. */
  chain?: VerifyReport;
}

export interface DigestOptions {
  /** Check the hash chain (one sha256 per line); the scorecard, which says nothing about edits, skips it. */
  verify?: boolean;
  /** Collect the postmortem's timeline table. */
  table?: boolean;
}

/** A timeline visitor that digests the events it is shown (store.scan, scanTimeline). */
export class DigestVisitor implements TimelineVisitor {
  private readonly replay = new ReplayVisitor();
  private readonly facts = new FactsCollector();
  private readonly shares = new SharesCollector();
  readonly table: TimelineTableBuilder | undefined;
  private readonly chain: ChainCheck | undefined;
  private events = 0;
  private meaningful = false;

  constructor(opts: DigestOptions = {}) {
    this.table = opts.table ? new TimelineTableBuilder() : undefined;
    this.chain = opts.verify ? new ChainCheck() : undefined;
  }

  event(e: TimelineEvent, line: string, lineNo: number, bytes?: Buffer): void {
    this.chain?.event(e, line, lineNo, bytes);
    this.replay.event(e);
    this.facts.add(e);
    this.shares.add(e);
    this.table?.add(e);
    this.events++;
    if (e.type !== 'incident_opened' && e.type !== 'run_started' && e.type !== 'input_answered') this.meaningful = true;
  }

  problem(p: TimelineProblem): void {
    this.chain?.problem(p);
    this.replay.problem(p);
  }

  /** The digest; `where` names the timeline's first line when it does not begin with incident_opened (exit 2). */
  finish(where: string): IncidentDigest {
    const { state, problems } = this.replay.finish(where);
    return {
      id: state.id,
      state,
      problems,
      facts: this.facts.finish(),
      shares: this.shares,
      ...(this.table ? { table: this.table } : {}),
      events: this.events,
      meaningful: this.meaningful,
      ...(this.chain ? { chain: this.chain.report() } : {}),
    };
  }
}

/** One incident digested from a store (streamed: a directory store reads its file in chunks); an unknown id is exit 2. */
export async function digestIncident(store: Store, id: string, opts: DigestOptions = {}): Promise<IncidentDigest> {
  const visitor = new DigestVisitor(opts);
  await store.scan(id, visitor);
  return { ...visitor.finish(store.where(id, 1)), id };
}

/** What the postmortem reads: a digest with its timeline table. */
export type PostmortemDigest = IncidentDigest & { table: TimelineTableBuilder };

/** One incident digested for its postmortem: the hash chain checked, the timeline table collected. */
export async function digestForPostmortem(store: Store, id: string): Promise<PostmortemDigest> {
  const visitor = new DigestVisitor({ verify: true, table: true });
  await store.scan(id, visitor);
  return { ...visitor.finish(store.where(id, 1)), id, table: visitor.table! };
}

/** The digest of events held in memory, with its timeline table (tests, short timelines). */
export function digestEvents(
  events: readonly TimelineEvent[],
  problems: readonly TimelineProblem[] = [],
  where = 'timeline',
): PostmortemDigest {
  const v = new DigestVisitor({ table: true });
  for (const p of problems) v.problem(p);
  for (const e of events) v.event(e, '', 0);
  return { ...v.finish(where), table: v.table! };
}

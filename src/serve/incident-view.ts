/**
 * What the live page shows of one incident, built from its events as they
 * come (a scan, then each watched append): the replayed state (status, roles,
 * milestones), where traffic goes, the messages sent, an approval still
 * waiting, and the latest events for the timeline. Events are redacted again
 * on the way in (the store redacts what it writes; this process may know more
 * secrets, such as the page's own token).
 */
import { redactDeep } from '../secrets.js';
import type { TimelineEvent } from '../timeline/events.js';
import { Replayer, type IncidentState } from '../timeline/replay.js';

/** How many of the latest events the page lists (incident show has them all). */
export const TIMELINE_LIMIT = 500;

export interface Share {
  provider: string;
  percent: number;
}

/** Where traffic went, and when: a verified switch, a canary stage, or a rollback. */
export interface RoutingChange {
  at: string;
  step?: string;
  split: Share[];
  how: string;
}

export interface ChannelOutcome {
  name: string;
  state: 'sent' | 'failed' | 'pending';
  error?: string;
}

/** A notify step's message: its template, the variables it was rendered with, and each channel's outcome. */
export interface SentMessage {
  step: string;
  title: string;
  template: string;
  at: string;
  vars: [string, string][];
  channels: ChannelOutcome[];
  dry_run: boolean;
}

/** An approval asked and not yet given or denied. */
export interface PendingApproval {
  step?: string;
  question: string;
  since: string;
  /** The gate needs someone other than the person running the step. */
  second_person: boolean;
}

type Result = Record<string, unknown>;

function shares(value: unknown): Share[] | undefined {
  if (!Array.isArray(value) || !value.length) return undefined;
  const out = value.filter(
    (s): s is Share => typeof s === 'object' && s !== null && typeof s.provider === 'string' && typeof s.percent === 'number',
  );
  return out.length ? out : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The routing a switch_provider result leaves, when it moved traffic (or found it already there). */
function switchSplit(r: Result): Share[] | undefined {
  if (r.dry_run || r.refused || r.rolled_back) return undefined;
  const split = shares(r.split_after);
  if (split) return split;
  const after = Array.isArray(r.after) ? r.after.filter((p): p is string => typeof p === 'string') : [];
  const to = after[0] ?? (typeof r.to === 'string' ? r.to : undefined);
  return to ? [{ provider: to, percent: 100 }] : undefined;
}

export class IncidentView {
  private replayer?: Replayer;
  private readonly latest: TimelineEvent[] = [];
  private readonly messagesByStep = new Map<string, SentMessage>();
  readonly routing: RoutingChange[] = [];
  /** The routing before the first change, when a result recorded it. */
  routingBefore?: Share[];
  pending?: PendingApproval;
  lastSeq = 0;
  eventCount = 0;

  constructor(readonly id: string) {}

  /** The replayed state; undefined until incident_opened has been applied (not a payctl timeline). */
  state(): IncidentState | undefined {
    return this.replayer?.state();
  }

  /** The latest events, oldest first (at most TIMELINE_LIMIT). */
  events(): readonly TimelineEvent[] {
    return this.latest;
  }

  messages(): SentMessage[] {
    return [...this.messagesByStep.values()];
  }

  /** Apply one event (in seq order; an event already applied is ignored). */
  apply(raw: TimelineEvent): void {
    if (raw.seq <= this.lastSeq) return;
    const e = redactDeep(raw);
    this.lastSeq = e.seq;
    this.eventCount++;
    if (!this.replayer) {
      if (e.type !== 'incident_opened') return;
      this.replayer = new Replayer(e);
    } else this.replayer.apply(e);
    this.latest.push(e);
    if (this.latest.length > TIMELINE_LIMIT) this.latest.shift();
    this.track(e);
  }

  private track(e: TimelineEvent): void {
    switch (e.type) {
      case 'step_started':
        if (e.data.step_type === 'notify' && e.step) this.startMessage(e);
        break;
      case 'channel_sent': {
        const ch = e.step ? this.messagesByStep.get(e.step)?.channels.find((c) => c.name === e.data.channel) : undefined;
        if (ch) ch.state = 'sent';
        break;
      }
      case 'step_completed':
        this.completed(e);
        if (this.pending && this.pending.step === e.step) this.pending = undefined;
        break;
      case 'traffic_stage': {
        const d = e.data;
        if (d.start && !this.routingBefore && !this.routing.length) this.routingBefore = shares(d.start);
        if (d.result === 'switched') {
          const split = shares(d.split) ?? [{ provider: d.to, percent: d.share }];
          this.routing.push({ at: e.time, step: e.step, split, how: `canary stage ${d.stage + 1}: ${d.share}% to ${d.to}` });
        } else if (d.result === 'halted') {
          const back = shares(d.rolled_back_to);
          if (back)
            this.routing.push({
              at: e.time,
              step: e.step,
              split: back,
              how: `canary halted at ${d.share}%${d.reason ? `: ${d.reason}` : ''}`,
            });
        }
        break;
      }
      case 'approval_requested': {
        const extra = e.data as { second_person?: unknown };
        this.pending = { step: e.step, question: e.data.question, since: e.time, second_person: extra.second_person === true };
        break;
      }
      case 'approval_given':
      case 'approval_denied':
        this.pending = undefined;
        break;
      case 'run_stopped':
        // a person asked at a terminal is no longer asked; a second person's approval is still awaited
        if (this.pending && !this.pending.second_person) this.pending = undefined;
        break;
      case 'incident_cancelled':
        this.pending = undefined;
        break;
      case 'status_changed':
        if (e.data.to === 'resolved') this.pending = undefined;
        break;
      default:
        break;
    }
  }

  private startMessage(e: Extract<TimelineEvent, { type: 'step_started' }>): void {
    const params = (e.data.params ?? {}) as Result;
    const before = this.messagesByStep.get(e.step!);
    const names = Array.isArray(params.channels) ? params.channels.filter((c): c is string => typeof c === 'string') : [];
    const vars = typeof params.vars === 'object' && params.vars !== null ? Object.entries(params.vars as Result) : [];
    this.messagesByStep.set(e.step!, {
      step: e.step!,
      title: e.data.title,
      template: typeof params.template === 'string' ? params.template : '?',
      at: before?.at ?? e.time,
      vars: vars.map(([k, v]) => [k, text(v)]),
      // a retry keeps what earlier attempts sent
      channels: names.map((name) => before?.channels.find((c) => c.name === name && c.state === 'sent') ?? { name, state: 'pending' }),
      dry_run: e.data.dry_run === true,
    });
  }

  private completed(e: Extract<TimelineEvent, { type: 'step_completed' }>): void {
    const r = (e.data.result ?? {}) as Result;
    if (e.data.step_type === 'notify' && e.step) {
      const m = this.messagesByStep.get(e.step);
      const channels = (typeof r.channels === 'object' && r.channels !== null ? r.channels : {}) as Record<string, Result>;
      if (!m) return;
      m.at = e.time;
      for (const c of m.channels) {
        const got = channels[c.name];
        if (!got) continue;
        c.state = got.ok === true ? 'sent' : 'failed';
        if (got.ok !== true && typeof got.error === 'string') c.error = got.error;
      }
      return;
    }
    if (e.data.outcome === 'skipped') return;
    if (e.data.step_type === 'switch_provider') {
      const split = switchSplit(r);
      if (!split) return;
      if (!this.routingBefore && !this.routing.length) {
        const before = Array.isArray(r.before) ? r.before.filter((p): p is string => typeof p === 'string') : [];
        this.routingBefore = shares(r.split_before) ?? (before[0] ? [{ provider: before[0], percent: 100 }] : undefined);
      }
      const how = r.unchanged ? `already on ${text(r.to)}` : r.failback ? `failed back to ${text(r.to)}` : `switched to ${text(r.to)}`;
      this.routing.push({ at: e.time, step: e.step, split, how: r.verified ? `${how} (verified)` : how });
    } else if (e.data.step_type === 'shift_traffic' && !r.dry_run) {
      const split = shares(r.split_after);
      const last = this.routing.at(-1);
      // the last stage already said where traffic went; the step's end is news only when it differs
      if (split && (!last || JSON.stringify(last.split) !== JSON.stringify(split)))
        this.routing.push({ at: e.time, step: e.step, split, how: r.completed ? 'canary completed' : 'canary ended' });
    }
  }
}

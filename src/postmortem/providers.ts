/**
 * How each provider behaved in one incident: when its status page admitted the
 * problem compared with our detection, how long it took to answer an
 * escalation, what it proposed (from notes), and how often traffic left it.
 * The postmortem and the provider scorecard both read this.
 */
import { movedTraffic, type Escalation, type Facts } from './facts.js';
import type { ReferencePoints } from './metrics.js';
import { between, earliest, showDuration, toMs } from './time.js';

export interface EscalationResponse {
  at: string;
  action: string;
  outcome: string;
  dedup_key?: string;
  /** Later triggers with the same dedup key (reminders to the provider, not new escalations). */
  follow_ups: number;
  channels: { name: string; ok: boolean; error?: string }[];
  response_at?: string;
  response_ms: number | null;
  response_source?: string;
  response_display: string;
}

export interface ProviderPerformance {
  provider: string;
  /** The provider had a problem in this incident: a non-operational reading, a failover away from it, or an escalation to it. */
  affected: boolean;
  /** Evidence that the provider itself was at fault: a non-operational reading or an escalation to it (a failover alone is our choice, not its downtime). */
  had_problem: boolean;
  worst_status?: string;
  /** When its status page first showed the problem (its incident's created_at, else the first non-operational reading). */
  admitted_at?: string;
  admitted_source?: string;
  /** admitted_at − detection; negative: the page showed it before we detected it. */
  admission_delay_ms: number | null;
  admission_display: string;
  /** Escalations awaiting the provider's response: delivered triggers, one per dedup key. */
  escalations: EscalationResponse[];
  /** The first MAX_PROPOSALS notes naming the provider after our escalation. */
  proposals: { at: string; actor: string; text: string }[];
  proposals_total: number;
  failovers_away: number;
}

const SEVERITY_ORDER = ['operational', 'unknown', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'];

export const ADMISSION_DEFINITION =
  "When the provider's status page first showed the problem (the creation time of its status-page incident, else the first non-operational reading we took), relative to our detection; negative means the page admitted it before we detected it.";
export const ESCALATION_RESPONSE_DEFINITION =
  'From our escalation (an escalate step that paged or opened a ticket) to the first note naming the provider, or the acknowledged milestone, after it.';

function mentionOf(provider: string): (text: string) => boolean {
  const re = new RegExp(`\\b${provider.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i');
  return (text) => re.test(text);
}

/**
 * What each escalate step was. Only a delivered trigger (not a dry run) is an
 * escalation awaiting the provider's response; a later trigger with the same
 * dedup key is a follow-up of it; acknowledge and resolve are our own actions;
 * a trigger that reached no channel, or a dry run, was not sent.
 */
export type EscalationRole =
  | { role: 'escalation' }
  | { role: 'follow_up'; first: number }
  | { role: 'own_action' }
  | { role: 'not_sent'; why: string };

export function escalationRoles(escalations: Escalation[]): EscalationRole[] {
  const firstByKey = new Map<string, number>();
  return escalations.map((e, i): EscalationRole => {
    if (e.action !== 'trigger') return { role: 'own_action' };
    if (e.dry_run) return { role: 'not_sent', why: 'dry run' };
    if (e.outcome !== 'ok') return { role: 'not_sent', why: 'no channel accepted it' };
    const key = `${e.provider}\u0000${e.dedup_key ?? `#${i}`}`;
    const first = firstByKey.get(key);
    if (first !== undefined) return { role: 'follow_up', first };
    firstByKey.set(key, i);
    return { role: 'escalation' };
  });
}

/** At most this many notes are kept as a provider's proposals. */
export const MAX_PROPOSALS = 10;

export function providersInvolved(facts: Facts): string[] {
  const set = new Set<string>();
  for (const c of facts.checks) set.add(c.provider);
  for (const s of facts.switches) {
    if (s.from) set.add(s.from);
    set.add(s.to);
  }
  for (const e of facts.escalations) if (e.provider !== '?') set.add(e.provider);
  for (const r of facts.readings) if (r.provider) set.add(r.provider);
  return [...set];
}

export function providerPerformance(facts: Facts, points: ReferencePoints, primary?: string): ProviderPerformance[] {
  const detection = points.detected ?? points.opened;
  const roles = escalationRoles(facts.escalations);
  const followUps = new Map<number, number>();
  for (const r of roles) if (r.role === 'follow_up') followUps.set(r.first, (followUps.get(r.first) ?? 0) + 1);
  const awaiting = facts.escalations.flatMap((e, i) =>
    roles[i]!.role === 'escalation' ? [{ ...e, follow_ups: followUps.get(i) ?? 0 }] : [],
  );
  const triggered = new Set(facts.escalations.filter((e, i) => roles[i]!.role !== 'own_action' && !e.dry_run).map((e) => e.provider));
  return providersInvolved(facts).map((p) => {
    const mentions = mentionOf(p);
    const checks = facts.checks.filter((c) => c.provider === p);
    let worst: string | undefined;
    for (const c of checks) if (!worst || SEVERITY_ORDER.indexOf(c.status) > SEVERITY_ORDER.indexOf(worst)) worst = c.status;
    const bad = checks.filter((c) => c.status !== 'operational' && c.status !== 'unknown');
    const incidentStart = earliest(bad.flatMap((c) => c.incidents.map((i) => i.created_at)));
    const admitted = incidentStart ?? bad[0]?.at;
    const admittedSource = incidentStart
      ? 'its status-page incident was created'
      : bad[0]
        ? `our first ${bad[0].status} reading of its status page`
        : undefined;
    const delay = between(detection, admitted);
    const admissionDisplay =
      admitted === undefined
        ? checks.length
          ? 'never: its status page showed no problem in our readings'
          : 'not recorded: its status page was not read'
        : delay! < 0
          ? `${showDuration(-delay!)} before our detection`
          : delay === 0
            ? 'at our detection'
            : `${showDuration(delay)} after our detection`;

    const escalations = awaiting.filter((e) => e.provider === p);
    const responses: EscalationResponse[] = escalations.map((e) => {
      const t = toMs(e.at) ?? 0;
      const note = facts.notes.find((n) => (toMs(n.at) ?? 0) >= t && mentions(n.text));
      const ack = facts.milestones.find((m) => m.name === 'acknowledged' && (toMs(m.at) ?? 0) >= t);
      const candidates = [
        note && { at: note.at, source: `note by ${note.actor}` },
        ack && { at: ack.at, source: 'acknowledged milestone' },
      ].filter(Boolean) as { at: string; source: string }[];
      candidates.sort((a, b) => (toMs(a.at) ?? 0) - (toMs(b.at) ?? 0));
      const r = candidates[0];
      const ms = r ? (between(e.at, r.at) ?? null) : null;
      return {
        at: e.at,
        action: e.action,
        outcome: e.outcome,
        dedup_key: e.dedup_key,
        follow_ups: e.follow_ups,
        channels: e.channels.map((c) => ({ name: c.name, ok: c.ok, error: c.error })),
        response_at: r?.at,
        response_ms: ms,
        response_source: r?.source,
        response_display: r ? `${showDuration(ms ?? undefined)} (${r.source})` : 'no response recorded',
      };
    });
    const firstEsc = toMs(escalations[0]?.at);
    const allProposals = firstEsc === undefined ? [] : facts.notes.filter((n) => (toMs(n.at) ?? 0) >= firstEsc && mentions(n.text));
    const proposals = allProposals.slice(0, MAX_PROPOSALS);
    const failoversAway = facts.switches.filter((s) => movedTraffic(s) && !s.failback && s.from === p && s.to !== p).length;
    return {
      provider: p,
      affected:
        bad.length > 0 ||
        failoversAway > 0 ||
        triggered.has(p) ||
        (primary === p && facts.switches.some((s) => movedTraffic(s) && s.from === p)),
      had_problem: bad.length > 0 || triggered.has(p),
      worst_status: worst,
      admitted_at: admitted,
      admitted_source: admittedSource,
      admission_delay_ms: delay ?? null,
      admission_display: admissionDisplay,
      escalations: responses,
      proposals,
      proposals_total: allProposals.length,
      failovers_away: failoversAway,
    };
  });
}

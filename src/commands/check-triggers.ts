/**
 * Does one playbook trigger hold for a health snapshot? Every key given in a
 * trigger must hold:
 *   provider: a name, "primary" (routing.primary) or "any" (default any)
 *   status: the provider's status is one of these
 *   success_rate_below: the success rate is below this
 *   decline_rate_above: the share of attempts declined (with one of
 *     `decline_codes` when given, else with any code) is above this
 *   maintenance_within: an upcoming/active maintenance starts within this
 * A match carries a score (how specific the evidence is) and the facts seen,
 * for the one line that says why (playbook-ranking.ts orders playbooks by it).
 */
import { parseDuration } from '../duration.js';
import type { Config } from '../config/schema.js';
import type { Playbook } from '../playbook/schema.js';
import { pct, type HealthSnapshot, type ProviderHealth } from '../providers/health.js';

type Trigger = NonNullable<Playbook['triggers']>[number];

export interface TriggerMatch {
  /** The provider the trigger matched, when it names one. */
  provider?: string;
  /** The trigger's description (or a generated one). */
  description: string;
  /** What payctl saw that made it hold: "stripe: major_outage", "success rate 5.0%", "do_not_honor 16.2% of attempts". */
  facts: string[];
  /**
   * How specific the evidence is, summed over the trigger's keys: a provider
   * status that is not "operational" 3, named decline codes 3, a maintenance
   * window 2, a decline rate over any code 2, an "operational" status or the
   * success rate alone 1.
   */
  score: number;
}

function candidates(config: Config, snap: HealthSnapshot, t: Trigger): ProviderHealth[] {
  const who = t.provider ?? 'any';
  if (who === 'any') return snap.providers;
  const name = who === 'primary' ? config.routing?.primary : who;
  return snap.providers.filter((p) => p.provider === name);
}

/** The share of attempts declined with the trigger's codes (any code without them); undefined when not known. */
function declineRate(
  snap: HealthSnapshot,
  codes: string[] | undefined,
): { rate: number; codes: { code: string; share: number }[] } | undefined {
  const d = snap.declines;
  if (!d || d.rate === null) return undefined;
  if (!codes?.length) return { rate: d.rate, codes: d.top };
  const hit = d.top.filter((x) => codes.includes(x.code));
  return { rate: hit.reduce((a, x) => a + x.share, 0), codes: hit };
}

export function matchTrigger(config: Config, snap: HealthSnapshot, t: Trigger, now: Date): TriggerMatch | undefined {
  const facts: string[] = [];
  let score = 0;
  if (t.success_rate_below !== undefined) {
    const v = snap.success_rate?.value;
    if (v === null || v === undefined || v >= t.success_rate_below) return undefined;
    facts.push(`success rate ${pct(v)}`);
    score += 1;
  }
  if (t.decline_rate_above !== undefined) {
    const d = declineRate(snap, t.decline_codes);
    if (!d || d.rate <= t.decline_rate_above) return undefined;
    const top = d.codes[0];
    facts.push(top ? `${top.code} ${pct(top.share)} of attempts` : `declines ${pct(d.rate)} of attempts`);
    score += t.decline_codes?.length ? 3 : 2;
  }
  const judgesProvider = t.status !== undefined || t.maintenance_within !== undefined;
  if (!judgesProvider) {
    if (score === 0) return undefined; // a trigger with no condition matches nothing
    return { description: t.description ?? facts.join(', '), facts, score };
  }
  const within = t.maintenance_within ? parseDuration(t.maintenance_within) : undefined;
  for (const p of candidates(config, snap, t)) {
    if (p.error) continue; // an unreadable page is no evidence of an outage or of health
    if (t.status && !t.status.includes(p.status as never)) continue;
    if (within !== undefined) {
      const soon = (p.maintenances ?? []).some((m) => {
        if (m.status === 'in_progress' || m.status === 'verifying') return true;
        const at = m.scheduled_for ? Date.parse(m.scheduled_for) : NaN;
        return Number.isFinite(at) && at - now.getTime() <= within;
      });
      if (!soon) continue;
    }
    const seen =
      within !== undefined && !t.status ? `${p.provider}: maintenance within ${t.maintenance_within}` : `${p.provider}: ${p.status}`;
    const own = (t.status ? (p.status === 'operational' ? 1 : 3) : 0) + (within !== undefined ? 2 : 0);
    return {
      provider: p.provider,
      description: t.description ?? `${p.provider} is ${p.status}`,
      facts: [seen, ...facts],
      score: score + own,
    };
  }
  return undefined;
}

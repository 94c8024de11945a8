/**
 * Which playbook a failed check should start: the one whose `triggers` match
 * the health snapshot most specifically (a provider status beats a maintenance
 * window beats the success rate alone; ties go to the first by file name).
 *   provider: a name, "primary" (routing.primary) or "any" (default any)
 *   status: the provider's status is one of these
 *   success_rate_below: the success rate is below this
 *   maintenance_within: an upcoming/active maintenance starts within this
 * Every key given in one trigger must hold; any one trigger of a playbook may match.
 * decline_rate_above is not judged by `check` (it needs the decline breakdown).
 */
import { parseDuration } from '../duration.js';
import type { Config } from '../config/schema.js';
import type { Playbook } from '../playbook/schema.js';
import type { HealthSnapshot, ProviderHealth } from '../providers/health.js';

type Trigger = NonNullable<Playbook['triggers']>[number];

export interface TriggerMatch {
  /** The provider the trigger matched, when it names one. */
  provider?: string;
  description: string;
  /** How specific the match is: a provider status (3) beats a maintenance window (2) beats the success rate alone (1). */
  score: number;
}

function candidates(config: Config, snap: HealthSnapshot, t: Trigger): ProviderHealth[] {
  const who = t.provider ?? 'any';
  if (who === 'any') return snap.providers;
  const name = who === 'primary' ? config.routing?.primary : who;
  return snap.providers.filter((p) => p.provider === name);
}

export function matchTrigger(config: Config, snap: HealthSnapshot, t: Trigger, now: Date): TriggerMatch | undefined {
  const judgesProvider = t.status !== undefined || t.maintenance_within !== undefined;
  if (t.decline_rate_above !== undefined && !judgesProvider && t.success_rate_below === undefined) return undefined;
  if (t.success_rate_below !== undefined) {
    const v = snap.success_rate?.value;
    if (v === null || v === undefined || v >= t.success_rate_below) return undefined;
  }
  if (!judgesProvider) {
    return t.success_rate_below !== undefined
      ? { description: t.description ?? `success rate below ${t.success_rate_below}`, score: 1 }
      : undefined;
  }
  const within = t.maintenance_within ? parseDuration(t.maintenance_within) : undefined;
  for (const p of candidates(config, snap, t)) {
    if (t.status && !t.status.includes(p.status as never)) continue;
    if (within !== undefined) {
      const soon = (p.maintenances ?? []).some((m) => {
        if (m.status === 'in_progress' || m.status === 'verifying') return true;
        const at = m.scheduled_for ? Date.parse(m.scheduled_for) : NaN;
        return Number.isFinite(at) && at - now.getTime() <= within;
      });
      if (!soon) continue;
    }
    return { provider: p.provider, description: t.description ?? `${p.provider} is ${p.status}`, score: t.status ? 3 : 2 };
  }
  return undefined;
}

/** The most specific match across all playbooks; ties go to the first playbook (by file name). */
export function matchPlaybook(
  config: Config,
  snap: HealthSnapshot,
  playbooks: Playbook[],
  now: Date,
): { playbook: Playbook; match: TriggerMatch } | undefined {
  let best: { playbook: Playbook; match: TriggerMatch } | undefined;
  for (const pb of playbooks) {
    for (const t of pb.triggers ?? []) {
      const match = matchTrigger(config, snap, t, now);
      if (match && (!best || match.score > best.match.score)) best = { playbook: pb, match };
    }
  }
  return best;
}

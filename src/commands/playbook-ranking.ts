/**
 * Which playbook fits what payctl sees now: every playbook's triggers judged
 * against a health snapshot (check-triggers.ts), the best match first, with
 * one line saying why. The `incident start` picker and `check --start-incident`
 * both order playbooks with rankPlaybooks().
 */
import type { Config } from '../config/schema.js';
import type { Playbook } from '../playbook/schema.js';
import { pct, type HealthSnapshot } from '../providers/health.js';
import { matchTrigger, type TriggerMatch } from './check-triggers.js';

export interface RankedPlaybook<P extends { playbook: Playbook } = { playbook: Playbook }> {
  entry: P;
  /** The playbook's best matching trigger; undefined when none holds. */
  match?: TriggerMatch;
  /** One line: why it is suggested ("stripe: major_outage, success rate 5.0%"). */
  why?: string;
}

/** The line that says why: the facts the trigger used, and the success rate when it is low and not already said. */
export function whyLine(match: TriggerMatch, snap: HealthSnapshot): string {
  const facts = [...match.facts];
  const sr = snap.success_rate;
  if (sr && !sr.healthy && sr.value !== null && !facts.some((f) => f.startsWith('success rate')))
    facts.push(`success rate ${pct(sr.value)}`);
  return facts.join(', ');
}

/**
 * Every playbook, those whose triggers hold first (highest score first; ties
 * keep the given order, i.e. by file name), then the rest in the given order.
 */
export function rankPlaybooks<P extends { playbook: Playbook }>(
  config: Config,
  snap: HealthSnapshot,
  entries: P[],
  now: Date,
): RankedPlaybook<P>[] {
  const ranked = entries.map((entry, i) => {
    let best: TriggerMatch | undefined;
    for (const t of entry.playbook.triggers ?? []) {
      const m = matchTrigger(config, snap, t, now);
      if (m && (!best || m.score > best.score)) best = m;
    }
    return { entry, i, ...(best ? { match: best, why: whyLine(best, snap) } : {}) };
  });
  ranked.sort((a, b) => (b.match?.score ?? 0) - (a.match?.score ?? 0) || a.i - b.i);
  return ranked.map(({ i: _i, ...r }) => r);
}

/** The matches that share the highest score (one: an unambiguous best match). */
export function bestMatches<P extends { playbook: Playbook }>(ranked: RankedPlaybook<P>[]): RankedPlaybook<P>[] {
  const top = ranked[0]?.match?.score;
  return top === undefined ? [] : ranked.filter((r) => r.match?.score === top);
}

/** The most specific match across all playbooks; ties go to the first playbook (by file name). */
export function matchPlaybook(
  config: Config,
  snap: HealthSnapshot,
  playbooks: Playbook[],
  now: Date,
): { playbook: Playbook; match: TriggerMatch } | undefined {
  const first = rankPlaybooks(
    config,
    snap,
    playbooks.map((playbook) => ({ playbook })),
    now,
  )[0];
  return first?.match ? { playbook: first.entry.playbook, match: first.match } : undefined;
}

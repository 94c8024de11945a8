// The provider scorecard over every fixture incident (several providers).
import { describe, expect, it } from 'vitest';
import { listIncidentIds, loadIncident } from '../../src/timeline/store.js';
import { buildScorecard, inPeriod, ScorecardBuilder, scorecardPart, selectIncidents } from '../../src/postmortem/scorecard.js';
import { digestIncident } from '../../src/postmortem/digest.js';
import { DirectoryStore } from '../../src/store/directory.js';
import { rehearsalKind } from '../../src/timeline/rehearsal.js';
import { FIXTURE_STORE } from './helpers.js';

const all = listIncidentIds(FIXTURE_STORE).map((id) => loadIncident(FIXTURE_STORE, id));
const { counted: incidents, rehearsals } = selectIncidents(all);

describe('provider scorecard', () => {
  const rows = buildScorecard(incidents, { providers: ['stripe', 'adyen', 'braintree', 'checkout'] });
  const row = (p: string) => rows.find((r) => r.provider === p)!;

  it("providers report's parts, kept as JSON between reports, give the same scorecard", async () => {
    const store = new DirectoryStore(FIXTURE_STORE);
    const card = new ScorecardBuilder({ providers: ['stripe', 'adyen', 'braintree', 'checkout'] });
    for (const inc of incidents) {
      const part = scorecardPart(await digestIncident(store, inc.id), card.threshold);
      card.addPart(inc.id, JSON.parse(JSON.stringify(part)));
    }
    expect(card.rows()).toEqual(rows);
  });

  it('counts incidents where the provider had a problem, not where it was merely checked', () => {
    expect(row('stripe').incident_ids).toEqual([
      '20260314-020000-a001',
      '20260320-140000-b002',
      '20260410-230000-d004',
      '20260425-100000-g007',
    ]);
    expect(row('stripe').open_incidents).toBe(1);
    expect(row('adyen').incident_ids).toEqual(['20260402-090000-c003']); // healthy backup in a001/b002/d004: not counted
    expect(row('braintree').incident_ids).toEqual(['20260420-080000-f006']);
    expect(row('checkout')).toMatchObject({ incidents: 0, total_downtime_ms: 0, longest_downtime_ms: null, mean_time_to_resolve_ms: null });
  });

  it('downtime, MTTR, status-page admission, escalation response, failovers away', () => {
    const s = row('stripe');
    // a001 01:58 → 02:53 = 55m; b002 14:00 → 14:41 = 41m; d004 (open) 23:00 → 23:06 = 6m; g007 10:00 → 10:53 = 53m
    expect(s.total_downtime_ms).toBe((55 + 41 + 6 + 53) * 60_000);
    expect(s.longest_downtime_ms).toBe(55 * 60_000);
    expect(s.mean_time_to_resolve_ms).toBe(((55 + 41 + 53) / 3) * 60_000);
    // admission: +5m (a001), +11s (b002, first major_outage reading), +11s (d004), +1m (g007)
    expect(s.status_page_admission).toEqual({
      mean_delay_ms: Math.round((300_000 + 11_000 + 11_000 + 60_000) / 4),
      admitted: 4,
      never_admitted: 0,
    });
    // one escalation per incident: g007's follow-up trigger (same dedup key), acknowledge and resolve are not escalations
    expect(s.escalation_response).toEqual({ escalations: 3, answered: 1, mean_ms: 16 * 60_000 + 58_000, longest_ms: 16 * 60_000 + 58_000 });
    expect(s.failovers_away).toBe(3); // a001, d004, g007; b002's failover failed
    const a = row('adyen');
    expect(a.total_downtime_ms).toBe(60 * 60_000);
    expect(a.failovers_away).toBe(1);
    expect(a.status_page_admission.mean_delay_ms).toBe(9 * 60_000);
  });

  it('sorts by incidents, then downtime', () => {
    expect(rows.map((r) => r.provider)).toEqual(['stripe', 'adyen', 'braintree', 'checkout']);
  });

  it('filters incidents by the --since period', () => {
    const now = Date.parse('2026-04-16T00:00:00Z');
    const ids = all.filter((i) => inPeriod(i.state.opened_at, 7 * 86_400_000, now)).map((i) => i.id);
    expect(ids).toEqual([
      '20260410-230000-d004',
      '20260415-120000-e005',
      '20260420-080000-f006',
      '20260425-100000-g007',
      '20260428-150000-h008',
      '20260429-090000-i009',
    ]);
  });

  it('leaves out rehearsals (dry runs, drills, demos) unless asked to include them', () => {
    expect(rehearsals.map((i) => i.id)).toEqual(['20260428-150000-h008', '20260429-090000-i009']);
    expect(rehearsals.map((i) => rehearsalKind(i.state))).toEqual(['drill', 'dry run']);
    expect(rehearsalKind({ dry_run: false, source: 'demo' })).toBe('demo');
    expect(rehearsalKind({ dry_run: false, source: 'check --start-incident' })).toBeUndefined();
    expect(selectIncidents(all, true).counted).toHaveLength(all.length);
    const withDrills = buildScorecard(selectIncidents(all, true).counted, {}).find((r) => r.provider === 'stripe')!;
    expect(withDrills.incident_ids).toContain('20260428-150000-h008');
    expect(withDrills.incidents).toBe(6);
  });
});

describe('a failover away from a healthy provider', () => {
  it('counts as a failover away, not as an incident or downtime of that provider', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { TimelineWriter } = await import('../../src/timeline/writer.js');
    const store = mkdtempSync(join(tmpdir(), 'payctl-score-'));
    const id = '20260501-100000-e001';
    let t = Date.parse('2026-05-01T10:00:00Z');
    const w = new TimelineWriter(join(store, id, 'timeline.jsonl'), { actor: 'ops', now: () => new Date((t += 1000)) });
    await w.append({
      type: 'incident_opened',
      data: { id, title: 'Planned failover', severity: 'sev3', playbook: 'failover', dry_run: false, source: 'failover' },
    });
    await w.append({
      type: 'step_started',
      step: 'failover',
      data: { step_type: 'switch_provider', title: 'Fail over', attempt: 1, idempotency_key: `payctl-${id}-failover` },
    });
    await w.append({
      type: 'step_completed',
      step: 'failover',
      data: {
        step_type: 'switch_provider',
        outcome: 'ok',
        attempt: 1,
        duration_ms: 80,
        result: { from: 'stripe', to: 'adyen', before: ['stripe', 'adyen'], after: ['adyen', 'stripe'], verified: true, failback: false },
      },
    });
    await w.append({ type: 'status_changed', data: { from: 'investigating', to: 'resolved' } });
    const [r] = buildScorecard([loadIncident(store, id)], { providers: ['stripe'] });
    expect(r).toMatchObject({ provider: 'stripe', incidents: 0, total_downtime_ms: 0, failovers_away: 1 });
    expect(r!.status_page_admission.never_admitted).toBe(0);
  });
});

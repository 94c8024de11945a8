// The metric definitions on the fixture timelines, edge cases included: each
// missing milestone is "not recorded" (null), never a made-up number.
import { afterEach, describe, expect, it } from 'vitest';
import { renderPostmortem } from '../../src/postmortem/render.js';
import { clearSecretsForTest, registerSecret } from '../../src/secrets.js';
import { BUSINESS, DEFAULT_TEMPLATE, IDS, dataFor } from './helpers.js';

const metric = (d: ReturnType<typeof dataFor>, key: string) => d.metrics.find((m) => m.key === key)!;

describe('response metrics and impact', () => {
  afterEach(() => clearSecretsForTest());

  it('a full incident: every metric from its milestones, with the definition beside it', () => {
    const d = dataFor(IDS.full, { business: BUSINESS });
    expect(metric(d, 'time_to_detect').ms).toBe(0);
    expect(metric(d, 'time_to_acknowledge').ms).toBe(3 * 60_000); // detected 01:58 (from --detected-at), acknowledged 02:01
    expect(metric(d, 'time_to_mitigate').ms).toBe(9 * 60_000 + 45_000);
    expect(metric(d, 'time_to_resolve').ms).toBe(55 * 60_000);
    expect(metric(d, 'time_to_fail_back').ms).toBe(50 * 60_000 + 4_000);
    for (const m of d.metrics) expect(m.definition.length).toBeGreaterThan(30);
    expect(d.impact.backup.ms).toBe(40 * 60_000 + 19_000);
    expect(d.impact.backup.still_on_backup).toBe(false);
    expect(d.impact.success_rate.lowest?.value).toBe(0.41);
    expect(d.impact.success_rate.dip_points).toBe(57.6);
    // the customer-facing window ends at the first reading ≥ 95% after mitigation (02:10:01), not at the switch (02:07:45):
    // 120 orders/min × 12.02 min × (1 − mean(0.41, 0.962)) = 120 × 12.02 × 0.314 = 452.9 → 453; × 42.5 = 19,252.50
    expect(d.impact.customer_window).toMatchObject({ to: '2026-03-14T02:10:01.000Z', ms: 12 * 60_000 + 1_000 });
    expect(d.impact.business?.failed_orders).toBe(453);
    expect(d.impact.business?.revenue_at_risk).toBe(19252.5);
    expect(d.impact.business?.formula).toContain('120 × 12.02 × 0.314');
    expect(d.draft_status.open).toBe(false);
  });

  it('provider performance: status page admission vs detection, escalation response, proposals, failovers', () => {
    const d = dataFor(IDS.full);
    const stripe = d.providers.find((p) => p.provider === 'stripe')!;
    expect(stripe.admission_delay_ms).toBe(5 * 60_000); // its incident created 02:03, we detected 01:58
    expect(stripe.escalations[0]!.response_ms).toBe(16 * 60_000 + 58_000);
    expect(stripe.proposals[0]!.text).toContain('propose we keep traffic on adyen');
    expect(stripe.failovers_away).toBe(1);
    const adyen = d.providers.find((p) => p.provider === 'adyen')!;
    expect(adyen.failovers_away).toBe(0); // a failback is not a failover away
    expect(adyen.admission_delay_ms).toBeNull();
  });

  it('hints: retried step, long approval, reminders, failed delivery → action items; a branch not taken is a note', () => {
    const d = dataFor(IDS.full);
    expect(d.hints.went_wrong.join('\n')).toMatch(/notify_team .*needed 2 attempts/);
    // `success` ran 4 times, each attempt ok: re-reading a metric is not a retry
    expect(d.hints.went_wrong.join('\n')).not.toMatch(/step success\b/);
    expect(d.hints.went_wrong.join('\n')).toContain('approval for step failover waited 6m 30s');
    expect(d.hints.went_wrong.join('\n')).toContain('fired 2 times');
    expect(d.hints.went_wrong.join('\n')).toContain('not delivered to social (HTTP 500 from webhook)');
    expect(d.hints.action_items.join('\n')).not.toContain('shed_load');
    expect(d.hints.went_wrong.join('\n')).not.toContain('shed_load');
    expect(d.hints.notes.join('\n')).toContain('shed_load');
    expect(d.hints.action_items.some((a) => a.startsWith('Update playbook provider-outage, step notify_team'))).toBe(true);
    expect(d.hints.went_well.join('\n')).toContain('failback adyen → stripe was verified');
  });

  it('never mitigated, no failback: not recorded; the customer window runs to resolution', () => {
    const d = dataFor(IDS.neverMitigated);
    expect(metric(d, 'time_to_mitigate')).toMatchObject({ ms: null, value: 'not recorded' });
    expect(metric(d, 'time_to_fail_back')).toMatchObject({ ms: null, value: 'not recorded' });
    expect(metric(d, 'time_to_resolve').ms).toBe(41 * 60_000);
    expect(d.impact.customer_window.ms).toBe(41 * 60_000);
    expect(d.impact.backup.ms).toBe(0); // the switch failed and was rolled back
    expect(d.gaps.join('\n')).toContain('No mitigated milestone');
    expect(d.hints.went_wrong.join('\n')).toContain('rolled back');
    expect(d.hints.action_items.join('\n')).toContain('step failover: it failed');
    expect(d.providers.find((p) => p.provider === 'stripe')!.escalations[0]!.response_ms).toBeNull();
  });

  it('reopened: time to resolve uses the last resolution and the draft says it was reopened', () => {
    const d = dataFor(IDS.reopened);
    expect(metric(d, 'time_to_resolve').ms).toBe(60 * 60_000);
    expect(d.gaps.join('\n')).toContain('reopened 1 time');
    expect(d.summary.narrative).toContain('reopened 1 time');
    // the status page admitted it 9 minutes after we detected it
    expect(d.providers.find((p) => p.provider === 'adyen')!.admission_delay_ms).toBe(9 * 60_000);
  });

  it('still open: marked as a draft of an open incident; no end, duration so far, still on backup', async () => {
    const d = dataFor(IDS.stillOpen, { business: BUSINESS });
    expect(d.draft_status.open).toBe(true);
    expect(d.impact.end).toBeUndefined();
    expect(d.impact.duration).toBe('ongoing: 6m so far');
    expect(metric(d, 'time_to_resolve').value).toBe('not recorded');
    expect(d.impact.backup.still_on_backup).toBe(true);
    expect(d.hints.went_wrong.join('\n')).toContain('never completed');
    expect(d.impact.business?.failed_orders).toBeNull(); // no readings: only the upper bound
    const md = await renderPostmortem(d, DEFAULT_TEMPLATE);
    expect(md).toContain('DRAFT: incident 20260410-230000-d004 is still open');
  });

  it('no events after the start: a draft that says nothing was recorded', async () => {
    const d = dataFor(IDS.openedOnly);
    expect(d.metrics.every((m) => m.ms === null)).toBe(true);
    expect(d.gaps.join('\n')).toContain('Nothing was recorded after the incident was opened');
    const md = await renderPostmortem(d, DEFAULT_TEMPLATE);
    expect(md).toContain('not recorded');
    expect(md).not.toContain('NaN');
    expect(md).not.toContain('undefined');
  });

  it('an unknown event type and a truncated last line are reported, not fatal', () => {
    const d = dataFor(IDS.newerPayctl);
    const gaps = d.gaps.join('\n');
    expect(gaps).toContain('truncated last line');
    expect(gaps).toContain('"traffic_shaped"');
    expect(d.timeline.rows.some((r) => r.event.includes('Unknown event type "traffic_shaped"'))).toBe(true);
    expect(metric(d, 'time_to_mitigate').value).toBe('not recorded'); // the torn line held the mitigated milestone
  });

  it('escapes table pipes in titles and notes, and never prints a registered secret', async () => {
    registerSecret('sk_live_fixture123456');
    const md = await renderPostmortem(dataFor(IDS.full), DEFAULT_TEMPLATE);
    expect(md).toContain('| Title | Stripe card payments failing \\| checkout errors |');
    expect(md).toContain('a bad deploy on their side \\| rolling back');
    expect(md).not.toContain('sk_live_fixture123456');
    expect(md).toContain('Ref token ***');
  });

  it('draws the phases and the success rate as Mermaid charts', () => {
    const d = dataFor(IDS.full);
    expect(d.charts.gantt).toContain('Detected to mitigated :active, mitigate, 2026-03-14 01:58:00, 2026-03-14 02:07:45');
    expect(d.charts.gantt).toContain('On adyen');
    expect(d.charts.success_rate).toContain('line [41.0, 96.2, 98.4, 98.6]');
    expect(dataFor(IDS.openedOnly).charts.success_rate).toBeUndefined();
  });
});

// What a new-user trial of the postmortem found, one test per finding, on the
// fixture timelines g007 (trial), h008 (a drill) and i009 (a dry run).
import { describe, expect, it } from 'vitest';
import { renderPostmortem } from '../../src/postmortem/render.js';
import { collectFacts } from '../../src/postmortem/facts.js';
import { loadIncident } from '../../src/timeline/store.js';
import { BUSINESS, DEFAULT_TEMPLATE, FIXTURE_STORE, IDS, dataFor } from './helpers.js';

const trial = dataFor(IDS.trial, { business: BUSINESS });
const wrong = trial.hints.went_wrong.join('\n');
const well = trial.hints.went_well.join('\n');
const actions = trial.hints.action_items.join('\n');
const notes = trial.hints.notes.join('\n');

describe('postmortem: findings of the new-user trial', () => {
  it("1. a step polled by a wait step's recheck (attempt+1, every outcome ok) is not a retry", () => {
    const runs = collectFacts(loadIncident(FIXTURE_STORE, IDS.trial).events).stepRuns;
    expect(runs.get('recheck_primary')).toEqual({ retries: 0, resumes: 0, reruns: 3 });
    expect(wrong).not.toMatch(/recheck_primary|success_backup/);
    expect(actions).not.toMatch(/recheck_primary|success_backup/);
    // a step that failed and then succeeded still is one (fixture a001)
    expect(dataFor(IDS.full).hints.went_wrong.join('\n')).toMatch(/notify_team .*needed 2 attempts .*1 retry after a failure/);
  });

  it('2. a step skipped because its when: was false is a neutral note; a step a person declined stays an action item', () => {
    expect(actions).not.toContain('shed_load');
    expect(wrong).not.toContain('shed_load');
    expect(notes).toContain('shed_load (when: inputs.shed_load)');
    expect(wrong).toContain('Step notify_social was skipped (not approved by responder).');
    expect(actions).toContain('Update playbook provider-outage, step notify_social: it was skipped (not approved by responder)');
  });

  it('3. only a trigger awaits a response; a repeated trigger with the same dedup key is a follow-up; acknowledge/resolve are ours', () => {
    const stripe = trial.providers.find((p) => p.provider === 'stripe')!;
    expect(stripe.escalations).toHaveLength(1);
    expect(stripe.escalations[0]).toMatchObject({ action: 'trigger', follow_ups: 1, response_ms: null });
    expect(stripe.row.escalation).toBe('no response recorded'); // once, not "…; no response recorded"
    expect(trial.actions.escalations.map((e) => [e.action, e.response])).toEqual([
      ['trigger', 'no response recorded'],
      ['trigger', 'n/a: follow-up of the 10:03:31 escalation (same dedup key)'],
      ['acknowledge', 'n/a: our own acknowledge, not an escalation'],
      ['resolve', 'n/a: our own resolve, not an escalation'],
    ]);
    expect(trial.hints.went_wrong.filter((h) => h.includes('did not respond'))).toEqual([
      'stripe did not respond to our escalation of 2026-04-25 10:03:31 UTC, followed up 1 time (no note or acknowledgement recorded).',
    ]);
    // a dry-run trigger was never sent
    const dry = dataFor(IDS.dryRun);
    expect(dry.providers.find((p) => p.provider === 'stripe')!.escalations).toHaveLength(0);
    expect(dry.actions.escalations[0]!.response).toBe('n/a: not sent (dry run)');
  });

  it('4. a manual checklist shows what was done and what was not', async () => {
    expect(trial.actions.manual).toEqual([
      {
        time: '2026-04-25 10:12:00 UTC',
        step: 'drain_queue (Drain the queues)',
        done: 'Pause the retry job; Drain the webhook queue',
        not_done: 'Tell finance',
      },
    ]);
    expect(wrong).toContain('Step drain_queue: checklist items not done: Tell finance.');
    const md = await renderPostmortem(trial, DEFAULT_TEMPLATE);
    expect(md).toContain('### Manual steps');
    expect(md).toContain(
      '| 2026-04-25 10:12:00 UTC | drain_queue (Drain the queues) | Pause the retry job; Drain the webhook queue | Tell finance |',
    );
  });

  it('5. Ctrl-C then a resume that finished: the final run state counts, and the re-run is a resume', () => {
    expect(wrong).not.toContain('The run stopped before the end');
    expect(wrong).not.toMatch(/postmortem .*attempts/);
    expect(actions).not.toContain('step postmortem');
    expect(notes).toContain('Re-run after an interruption (resumed, not retried): postmortem.');
    expect(notes).toContain(
      'The run was stopped at 2026-04-25 10:50:30 UTC (interrupted (SIGINT)) and resumed at 2026-04-25 10:52:00 UTC.',
    );
    // a run that stopped and never resumed is still a problem (fixture d004)
    expect(dataFor(IDS.stillOpen).hints.went_wrong.join('\n')).toContain('The run stopped before the end: interrupted (SIGINT).');
  });

  it('6. a switch with unchanged: true or dry_run: true is not a failover, a failback, backup time or a verified failback', () => {
    // g007: the no-op failback_confirm after the real failback changes nothing
    expect(trial.impact.backup.intervals).toEqual([
      { provider: 'adyen', from: '2026-04-25T10:03:00.000Z', to: '2026-04-25T10:45:02.000Z' },
    ]);
    expect(trial.summary.narrative).toContain('Traffic returned to stripe at 10:45:02.');
    expect(trial.actions.switches[2]).toMatchObject({
      kind: 'failback (no change)',
      verified: 'n/a',
      outcome: 'traffic already on stripe: nothing written',
    });
    // h008 (drill): its only switch was a no-op failback
    const drill = dataFor(IDS.drill);
    expect(drill.summary.narrative).not.toContain('Traffic returned');
    expect(drill.hints.went_well.join('\n')).not.toContain('failback');
    expect(drill.impact.backup).toMatchObject({ ms: 0, intervals: [] });
    expect(drill.hints.notes.join('\n')).toContain('found traffic already on stripe: nothing was written');
    // i009: a dry-run failover
    const dry = dataFor(IDS.dryRun);
    expect(dry.impact.backup).toMatchObject({ ms: 0, intervals: [] });
    expect(dry.summary.narrative).not.toContain('Traffic was moved');
    expect(dry.hints.went_wrong.join('\n')).not.toContain('not verified');
    expect(dry.hints.went_well.join('\n')).not.toContain('failover');
    expect(dry.providers.find((p) => p.provider === 'stripe')!.failovers_away).toBe(0);
  });

  it('8. a backup that kept failing: the window ends at the first good reading after mitigation, and says why', () => {
    // mitigated (switch) at 10:03:00; adyen read 70% at 10:04, 10:05, 10:05:30; 97% at 10:06.
    // stripe's own 20% at 10:03:36 is not what customers saw (traffic was on adyen).
    expect(trial.impact.customer_window).toMatchObject({ to: '2026-04-25T10:06:00.000Z', ms: 6 * 60_000 });
    expect(trial.impact.recovery).toMatchObject({
      target: 'adyen',
      recovered_at: '2026-04-25T10:06:00.000Z',
      below: { readings: 3, lowest: 0.7, ms: 3 * 60_000 },
    });
    expect(wrong).toContain('Traffic moved to adyen but the success rate stayed at 70.0% for 3m (below 95% until 10:06:00).');
    expect(well).not.toContain('mitigated 3m after detection');
    expect(well).toContain('The success rate was back at 97.0% (at or above 95%) 6m after detection, at 10:06:00.');
    // failed orders over the 6-minute window: 1 − mean(0.55, 0.7, 0.7, 0.7, 0.97) = 0.276; 120 × 6 × 0.276 = 198.7 → 199
    expect(trial.impact.business).toMatchObject({ window_minutes: 6, failure_share: 0.276, failed_orders: 199 });
  });

  it('8. when readings after mitigation never reach the threshold, the window runs to resolution', () => {
    const inc = loadIncident(FIXTURE_STORE, IDS.trial);
    // drop the 97% reading: every reading after the switch is below 95%
    const events = inc.events.filter(
      (e) => !(e.type === 'step_completed' && (e.data.result as { value?: number } | undefined)?.value === 0.97),
    );
    const d = dataFor(IDS.trial, { events, business: BUSINESS });
    expect(d.impact.customer_window).toMatchObject({ to: '2026-04-25T10:53:00.000Z', ms: 53 * 60_000 });
    expect(d.impact.customer_window.display).toContain('the success rate stayed below 95% after mitigation');
    expect(d.hints.went_wrong.join('\n')).toContain(
      'Traffic moved to adyen but the success rate stayed at 70.0% (below 95%) in every reading after it, for at least 2m 30s.',
    );
    expect(d.hints.went_well.join('\n')).not.toMatch(/mitigated|back at/);
    expect(d.impact.business?.window_minutes).toBe(53);
  });
});

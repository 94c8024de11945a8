/**
 * Canary failback stages end to end (issue 15 trial): the built payctl against
 * the sandbox. A canary's default timeout covers its holds; a stage the primary
 * already has is held and judged, never skipped; a canary stopped by its
 * timeout mid-stage rolls back to the last good split and says so; payctl
 * providers shows a split as shares.
 */
import { readFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUSY, canaryProjects, writeCanaryPlaybook } from '../helpers/canary.js';

const projects = canaryProjects();
const { run, algorithmWrites } = projects;
const stagesOf = (out: { canary: { stages: { stage: number; result: string }[] } }) =>
  out.canary.stages.map((s) => `${s.stage}:${s.result}`);

describe('canary failback stages', () => {
  it('outlasts a small step_timeout (its default covers its holds) and holds the 10% stage the primary already had', async () => {
    const p = await projects.open({ ordersPerMinute: BUSY });
    // 1 s for any step: two 2 s holds take longer, and the canary's own default adds them
    appendFileSync(join(p.dir, 'payctl.config.yaml'), '\nstep_timeout: 1s\n');
    expect((await run(['failover', '--to', 'adyen', '--share', '90', '--yes'])).code).toBe(0);
    expect(algorithmWrites()).toHaveLength(2);
    const r = await run(['failback', '--canary', '10,100', '--hold', '2s', '--min-attempts', '20', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.canary.completed).toBe(true);
    // stripe had its 10% already: the stage is held and judged without a write, not skipped
    expect(stagesOf(out)).toEqual(['0:switched', '0:held', '1:switched', '1:held']);
    expect(r.stderr).not.toContain('continuing the canary');
    expect(algorithmWrites().map((w) => w.path)).toEqual([
      '/hyperswitch/routing',
      '/hyperswitch/routing/routing_sandbox_1/activate',
      '/hyperswitch/routing/deactivate',
    ]);
    expect(out.routing_after[0]).toBe('stripe');
    expect(p.sandbox.state().routing.split).toBeNull();
  }, 60_000);

  it('at 50/50, providers shows the split, and a canary holds the 50% stage before going to 100%', async () => {
    const p = await projects.open({ ordersPerMinute: BUSY });
    expect((await run(['failover', '--to', 'adyen', '--share', '50', '--yes'])).code).toBe(0);
    const shown = await run(['providers']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('traffic: split adyen 50% · stripe 50%');
    expect(shown.stdout).toContain('traffic is split (adyen 50% · stripe 50%), not all on the primary stripe');
    expect(shown.stdout).toMatch(/adyen .*◀ 50%/);
    expect(shown.stdout).toMatch(/stripe .*◀ 50%/);
    expect(shown.stdout).not.toContain('◀ now');
    expect(shown.stdout).not.toContain('traffic is on adyen');
    const json = JSON.parse((await run(['providers', '--json'])).stdout);
    expect(json.traffic.split).toEqual([
      { provider: 'adyen', percent: 50 },
      { provider: 'stripe', percent: 50 },
    ]);

    const r = await run(['failback', '--canary', '10,25,50,100', '--hold', '2s', '--min-attempts', '20', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(r.stderr).toContain('continuing the canary at stage 3 of 4 (50% to stripe)');
    // the 50% stage was held (no write: stripe had it), then 100%
    expect(stagesOf(out)).toEqual(['2:switched', '2:held', '3:switched', '3:held']);
    expect(algorithmWrites()).toHaveLength(3);
    expect(p.sandbox.state().routing.split).toBeNull();
  }, 60_000);

  it('stopped by its timeout mid-stage, rolls back to the last good split and says so', async () => {
    const p = await projects.open({ ordersPerMinute: BUSY });
    expect((await run(['failover', '--to', 'adyen', '--yes'])).code).toBe(0);
    writeCanaryPlaybook(p.dir, [
      'stages: [10, 50, 100]',
      // stage 1 holds by ~4 s; the timeout falls inside stage 2's 4 s hold
      'hold: 4s',
      'timeout: 6s',
      'min_success_rate: 0.95',
      'min_attempts: 20',
      'on_failure: abort',
    ]);
    const r = await run(['incident', 'start', '--playbook', 'canary', '--yes']);
    expect(r.code).not.toBe(0);
    const all = r.stdout + r.stderr;
    expect(all).toMatch(/canary halted at stage 2 \(50% to stripe\): timed out after 6(\.0)?s \(the step's timeout\)/);
    expect(all).toContain('rolled back to adyen 90% · stripe 10%');
    expect(p.sandbox.state().routing.split).toEqual({ adyen: 90, stripe: 10 });
    const list = JSON.parse((await run(['incident', 'list', '--json'])).stdout) as { id: string; playbook?: string }[];
    const id = list.find((i) => i.playbook === 'canary')?.id ?? list[0]!.id;
    const timeline = readFileSync(join(p.dir, '.payctl', 'incidents', id, 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'traffic_stage');
    expect(timeline.map((e) => `${e.data.stage}:${e.data.result}`)).toEqual(['0:switched', '0:held', '1:switched', '1:halted']);
    expect(timeline[3].data.rolled_back_to).toEqual([
      { provider: 'adyen', percent: 90 },
      { provider: 'stripe', percent: 10 },
    ]);
  }, 60_000);

  it('says once per extension how much longer a hold may wait, then halts and reports the stages and the routing', async () => {
    const p = await projects.open({ ordersPerMinute: BUSY });
    expect((await run(['failover', '--to', 'adyen', '--yes'])).code).toBe(0);
    // far more payments than a 10% stage sees: the 2 s hold extends to 6 s, then fails for want of evidence
    const r = await run(['failback', '--canary', '10,100', '--hold', '2s', '--min-attempts', '100000', '--yes', '--json']);
    expect(r.code).toBe(1);
    const all = r.stdout + r.stderr;
    const extensions = all.match(/payments needed so far; holding up to \d+s longer \(6s at most\)/g) ?? [];
    expect(extensions.length, all).toBeGreaterThanOrEqual(1);
    expect(extensions.length, all).toBeLessThanOrEqual(2);
    expect(all).not.toContain('holding longer');
    const out = JSON.parse(r.stdout);
    expect(out.canary.completed).toBe(false);
    expect(out.canary.halted).toMatch(/not enough evidence about stripe after [67]s/);
    expect(stagesOf(out)).toEqual(['0:switched', '0:halted']);
    expect(out.routing_after).toEqual(['adyen']);
    expect(p.sandbox.state().routing.split).toBeNull();
  }, 60_000);
});

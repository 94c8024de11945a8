/**
 * Shares and canary failback end to end: the built payctl against the sandbox
 * (issue 15). A 90% failover verified by reading the volume split back; a
 * canary failback that completes on a healthy primary and one that halts at
 * its first stage on a failing one (customers' overall rate staying above the
 * threshold meanwhile); an adapter that cannot split refused before any write.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/run-cli.js';
import { BUSY, canaryFailbackArgs, canaryProjects, writeCanaryPlaybook } from '../helpers/canary.js';
import { waitUntil } from '../helpers/wait.js';

const projects = canaryProjects();
const { run, algorithmWrites } = projects;
/** In a timeline: the second stage (50% to stripe) switched, not yet judged. */
const STAGE_1_SWITCHED = /"type":"traffic_stage".*"stage":1,"share":50,"to":"stripe","result":"switched"/;

describe('shares', () => {
  it('failover --share 90 sends 90% to adyen through a volume split, verified by reading it back', async () => {
    const p = await projects.open({ ordersPerMinute: BUSY });
    const r = await run(['failover', '--to', 'adyen', '--share', '90', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      from: 'stripe',
      to: 'adyen',
      verified: true,
      share: 90,
      split_before: [{ provider: 'stripe', percent: 100 }],
    });
    expect(out.split_after).toEqual([
      { provider: 'adyen', percent: 90 },
      { provider: 'stripe', percent: 10 },
    ]);
    // the algorithm was created with the idempotency key and activated; the sandbox routes by it
    const writes = algorithmWrites();
    expect(writes.map((w) => w.path)).toEqual(['/hyperswitch/routing', '/hyperswitch/routing/routing_sandbox_1/activate']);
    expect(writes[0]!.body).toMatchObject({
      algorithm: {
        type: 'volume_split',
        data: [
          { split: 90, output: { connector: 'adyen', merchant_connector_id: 'mca_sandbox_adyen' } },
          { split: 10, output: { connector: 'stripe' } },
        ],
      },
    });
    expect(String(writes[0]!.headers['idempotency-key'])).toContain(out.incident);
    expect(p.sandbox.state().routing.split).toEqual({ adyen: 90, stripe: 10 });
    await new Promise((res) => setTimeout(res, 2200)); // the simulation's shares follow within its 2 s transition
    expect(p.sandbox.state().traffic.shares).toEqual({ adyen: 0.9, stripe: 0.1 });

    // the same again changes nothing; a full failover ends the split
    const again = JSON.parse((await run(['failover', '--to', 'adyen', '--share', '90', '--yes', '--json'])).stdout);
    expect(again.unchanged).toBe(true);
    expect(algorithmWrites()).toHaveLength(2);
    const all = await run(['failover', '--to', 'adyen', '--yes', '--json']);
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).split_after).toEqual([{ provider: 'adyen', percent: 100 }]);
    expect(p.sandbox.state().routing.split).toBeNull();
    expect(p.sandbox.state().routing.order[0]).toBe('adyen');
  });

  it('an adapter that cannot split is refused with exit 2 before anything is written, and playbook validate says so', async () => {
    const p = await projects.open();
    const marker = join(p.dir, 'written');
    const config = readFileSync(join(p.dir, 'payctl.config.yaml'), 'utf8').replace(
      /adapter:\n(\s+)type: hyperswitch\n.*\n.*\n/,
      `adapter:\n$1type: shell\n$1write: [node, -e, "require('fs').writeFileSync('${marker}', process.argv[1])", "{{ to }}"]\n$1read: [node, -e, "console.log('stripe')"]\n`,
    );
    expect(config).toContain('type: shell');
    writeFileSync(join(p.dir, 'payctl.config.yaml'), config);
    const r = await run(['failover', '--to', 'adyen', '--share', '90', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot send 90% of traffic: the shell routing adapter has no routing.adapter.split');
    expect(existsSync(marker)).toBe(false);
    expect((await run(['incident', 'list', '--json'])).stdout.trim()).toBe('[]');

    writeFileSync(
      join(p.dir, 'playbooks', 'half.yaml'),
      'id: half\ntitle: Half\nseverity: sev2\nsteps:\n  - id: half\n    title: Half to adyen\n    type: switch_provider\n    to: adyen\n    share: 50\n',
    );
    const v = await run(['playbook', 'validate', 'playbooks/half.yaml']);
    expect(v.code).toBe(2);
    expect(v.stdout + v.stderr).toContain("share: 50% of traffic, but the config's shell routing adapter cannot split traffic");
  });
});

describe('canary failback', () => {
  it('completes stage by stage while the primary is healthy, each stage verified and held', async () => {
    const p = await projects.open({ ordersPerMinute: BUSY });
    expect((await run(['failover', '--to', 'adyen', '--yes'])).code).toBe(0);
    const r = await run(canaryFailbackArgs('10,50,100', '2s'));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.canary.completed).toBe(true);
    const held = out.canary.stages.filter((s: { result: string }) => s.result === 'held');
    expect(held.map((s: { share: number }) => s.share)).toEqual([10, 50, 100]);
    for (const s of held) {
      expect(s.success_rate).toBeGreaterThanOrEqual(0.95);
      expect(s.attempts).toBeGreaterThanOrEqual(20);
    }
    expect(p.sandbox.state().routing.split).toBeNull();
    expect(p.sandbox.state().routing.order[0]).toBe('stripe');
    // stages 10 and 50 through volume splits, 100 through the fallback order with the split deactivated
    expect(algorithmWrites().map((w) => w.path.replace(/routing_sandbox_\d+/, 'ID'))).toEqual([
      '/hyperswitch/routing',
      '/hyperswitch/routing/ID/activate',
      '/hyperswitch/routing',
      '/hyperswitch/routing/ID/activate',
      '/hyperswitch/routing/deactivate',
    ]);
    const show = JSON.parse((await run(['incident', 'show', out.incident, '--json'])).stdout);
    expect(show.incident.milestones.failed_back).toBeDefined();

    // the postmortem: time on the backup weighted by share, the split over time, the stages and their rates
    const pm = await run(['postmortem', out.incident, '--out', '-']);
    expect(pm.code, pm.stderr).toBe(0);
    const backup = /\| Time on backup provider \| (\d+)s on adyen/.exec(pm.stdout);
    const weighted = /\| Time on backup, weighted by share \| (\d+)s \|/.exec(pm.stdout);
    expect(backup, pm.stdout).not.toBeNull();
    expect(weighted, pm.stdout).not.toBeNull();
    // ~2 s at 90% and ~2 s at 50% on adyen count less than their wall time
    expect(Number(weighted![1])).toBeLessThan(Number(backup![1]));
    expect(pm.stdout).toContain('title "Share of payments on stripe (%)"');
    expect(pm.stdout).toContain('### Failback stages');
    expect(pm.stdout).toMatch(/\| failback \| 1 \| 10% to stripe \| held \| 9\d\.\d% \| \d+ \|/);
    expect(pm.stdout).toMatch(/\| failback \| 3 \| 100% to stripe \| held \|/);

    // the scorecard: stripe's traffic away, weighted by share, is less than the wall time it was not all on stripe
    const report = JSON.parse((await run(['providers', 'report', '--json'])).stdout);
    const stripe = report.providers.find((r: { provider: string }) => r.provider === 'stripe');
    expect(stripe.traffic_away_ms).toBeGreaterThan(0);
    expect(stripe.traffic_away_ms).toBeLessThan(Number(backup![1]) * 1000);
  }, 60_000);

  it('never moves traffic away from its target: on the primary already, it writes nothing', async () => {
    const p = await projects.open({ ordersPerMinute: BUSY, fault: 'adyen:down' });
    const r = await run(['failback', '--canary', '10,50,100', '--hold', '2s', '--min-attempts', '20', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ unchanged: true, canary: { completed: true, stages: [] } });
    expect(p.sandbox.requests().filter((q) => q.method === 'POST' && q.path.startsWith('/hyperswitch/'))).toEqual([]);
    expect(p.sandbox.state().routing.order[0]).toBe('stripe');
  });

  it('halts at the first stage and rolls back while the primary still fails; customers stay above the threshold', async () => {
    const p = await projects.open({ ordersPerMinute: BUSY, fault: 'stripe:degraded' });
    expect((await run(['failover', '--to', 'adyen', '--yes'])).code).toBe(0);
    await new Promise((res) => setTimeout(res, 2200)); // traffic settled on adyen
    const overall: number[] = [];
    const sampler = setInterval(() => overall.push(p!.sandbox.state().traffic.observed_rate), 100);
    const r = await run(canaryFailbackArgs('10,25,50,100', '3s'));
    clearInterval(sampler);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.canary.completed).toBe(false);
    expect(out.canary.halted).toMatch(/stripe's success rate (79\.\d|8\d\.\d)% is below 95\.0% over \d+ payments/);
    const stages = out.canary.stages as { stage: number; result: string; rolled_back_to?: unknown }[];
    expect(stages.map((s) => `${s.stage}:${s.result}`)).toEqual(['0:switched', '0:halted']);
    expect(stages[1]!.rolled_back_to).toEqual([{ provider: 'adyen', percent: 100 }]);
    expect(out.routing_after).toEqual(['adyen']);
    expect(p.sandbox.state().routing.split).toBeNull();
    expect(p.sandbox.state().routing.order[0]).toBe('adyen');
    expect(overall.length).toBeGreaterThan(10);
    expect(Math.min(...overall)).toBeGreaterThan(0.95);
    expect(r.stderr).toContain('canary halted at stage 1 (10% to stripe)');
  }, 60_000);
});

describe('canary failback, killed in the middle of a stage', () => {
  it('resumes at the recorded stage: no stage is written twice and held stages are not held again', async () => {
    const p = await projects.open({ ordersPerMinute: BUSY });
    expect((await run(['failover', '--to', 'adyen', '--yes'])).code).toBe(0);
    writeCanaryPlaybook(p.dir, ['stages: [10, 50, 100]', 'hold: 3s', 'min_success_rate: 0.95', 'min_attempts: 20']);
    const child = spawn(process.execPath, [BIN, 'incident', 'start', '--playbook', 'canary', '--yes'], {
      cwd: p.dir,
      env: { ...process.env, ...p.env, PAYCTL_ACTOR: 'test', CI: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise((res) => child.on('exit', res));
    // kill it while the second stage (50%) holds: switched and recorded, not yet judged
    const store = join(p.dir, '.payctl', 'incidents');
    let id = '';
    await waitUntil(
      () => {
        const dirs = existsSync(store) ? readdirSync(store) : [];
        const mine = dirs.filter(
          (d) =>
            existsSync(join(store, d, 'timeline.jsonl')) &&
            readFileSync(join(store, d, 'timeline.jsonl'), 'utf8').includes('"playbook":"canary"'),
        );
        if (!mine[0]) return false;
        id = mine[0];
        return STAGE_1_SWITCHED.test(readFileSync(join(store, id, 'timeline.jsonl'), 'utf8'));
      },
      { ms: 30_000, what: 'the 50% stage switched', every: 50 },
    );
    child.kill('SIGKILL');
    await exited;
    expect(p.sandbox.state().routing.split).toEqual({ stripe: 50, adyen: 50 });
    const creates = () => p!.sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/hyperswitch/routing').length;
    expect(creates()).toBe(2);

    const resumed = await run(['incident', 'resume', id, '--yes', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // the 50% stage was read back, not written again; only the last stage wrote
    expect(creates()).toBe(2);
    expect(p.sandbox.state().routing.split).toBeNull();
    expect(p.sandbox.state().routing.order[0]).toBe('stripe');
    const show = JSON.parse((await run(['incident', 'show', id, '--json'])).stdout);
    const stages = JSON.stringify(show);
    expect(stages).toContain('"completed":true');
    const timeline = readFileSync(join(store, id, 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'traffic_stage')
      .map((e) => `${e.data.stage}:${e.data.result}`);
    expect(timeline).toEqual(['0:switched', '0:held', '1:switched', '1:held', '2:switched', '2:held']);
  }, 90_000);
});

describe('failback --canary, killed in the middle of a stage', () => {
  it('is listed as running while it goes on, interrupted once killed, and incident resume finishes it from the recorded stage', async () => {
    const p = await projects.open({ ordersPerMinute: BUSY });
    const failover = JSON.parse((await run(['failover', '--to', 'adyen', '--yes', '--json'])).stdout);
    const id: string = failover.incident;
    const args = ['failback', '--canary', '10,50,100', '--hold', '3s', '--min-success-rate', '0.95', '--min-attempts', '20', '--yes'];
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: p.dir,
      env: { ...process.env, ...p.env, PAYCTL_ACTOR: 'test', CI: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise((res) => child.on('exit', res));
    // the failback joins the failover's incident; kill it while the 50% stage holds
    const timeline = join(p.dir, '.payctl', 'incidents', id, 'timeline.jsonl');
    await waitUntil(() => STAGE_1_SWITCHED.test(readFileSync(timeline, 'utf8')), { ms: 30_000, what: 'the 50% stage switched', every: 50 });
    const runOf = async () =>
      (JSON.parse((await run(['incident', 'list', '--json'])).stdout) as { id: string; run: string }[]).find((i) => i.id === id)?.run;
    expect(await runOf()).toBe('running');
    child.kill('SIGKILL');
    await exited;
    expect(await runOf()).toBe('interrupted');
    expect(p.sandbox.state().routing.split).toEqual({ stripe: 50, adyen: 50 });
    const creates = () => p!.sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/hyperswitch/routing').length;
    const before = creates();

    const resumed = await run(['incident', 'resume', id.slice(-4), '--yes', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // the 50% stage was read back, not written again; only the last stage wrote
    expect(creates()).toBe(before);
    expect(p.sandbox.state().routing.split).toBeNull();
    expect(p.sandbox.state().routing.order[0]).toBe('stripe');
    const events = readFileSync(timeline, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const stages = events.filter((e) => e.type === 'traffic_stage').map((e) => `${e.data.stage}:${e.data.result}`);
    expect(stages).toEqual(['0:switched', '0:held', '1:switched', '1:held', '2:switched', '2:held']);
    expect(events.filter((e) => e.type === 'step_completed').map((e) => `${e.step}:${e.data.outcome}`)).toEqual([
      'failover:ok',
      'failback:ok',
    ]);
    expect(await runOf()).toBe('finished');
  }, 90_000);
});

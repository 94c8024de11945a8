/**
 * A real Prometheus (Debian's `prometheus` server) scraping the sandbox's
 * GET /metrics every second, and payctl's `metrics:` pointed at it: `check`,
 * `query_metrics` (overall, per provider, decline codes) and the canary read
 * real PromQL results that match the sandbox's own counts.
 *
 * The sandbox runs a constant state from its first moment (stripe degraded,
 * a 50/50 volume split), so the counters' ratios since start and any window
 * Prometheus computes agree. Without the prometheus binary this skips on a
 * developer machine (saying so) and fails in CI (CI=true): .ci/run installs it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { canaryFailbackArgs } from '../helpers/canary.js';
import { describeNeeding } from '../helpers/needs.js';
import { runCliAsync } from '../helpers/run-cli.js';
import { tempProject } from '../helpers/sandbox-project.js';

const BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';
const found = spawnSync(BIN, ['--version'], { stdio: 'ignore' }).status === 0;
const needsPrometheus = {
  present: found,
  what: 'Prometheus',
  missingInCI: `${BIN} is not installed: .ci/prometheus.sh installs it (apt-get install prometheus)`,
  skipped: `no ${BIN} binary (apt-get install prometheus, or .ci/prometheus.sh)`,
};

const TOLERANCE = 0.02;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return res.json();
}

/** The sandbox's own counts, from its exposition: per provider and overall success ratio since start. */
async function sandboxCounts(sb: SandboxHandle) {
  const text = await (await fetch(`${sb.url}/metrics`)).text();
  const value = (name: string, provider: string) =>
    Number(new RegExp(`^${name}\\{provider="${provider}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  const per: Record<string, { attempted: number; succeeded: number }> = {};
  for (const p of ['stripe', 'adyen'])
    per[p] = { attempted: value('payments_attempted_total', p), succeeded: value('payments_succeeded_total', p) };
  const attempted = per.stripe!.attempted + per.adyen!.attempted;
  const succeeded = per.stripe!.succeeded + per.adyen!.succeeded;
  return {
    overall: succeeded / attempted,
    stripe: per.stripe!.succeeded / per.stripe!.attempted,
    adyen: per.adyen!.succeeded / per.adyen!.attempted,
    text,
  };
}

describeNeeding(needsPrometheus, 'a real Prometheus scraping the sandbox', () => {
  let sb: SandboxHandle;
  let prom: ChildProcess | undefined;
  let promUrl = '';
  let dir = '';
  let promLog = '';
  const run = (args: string[]) => runCliAsync(args, { cwd: dir, env: { ...sb.env(), PAYCTL_ACTOR: 'ci' } });

  beforeAll(async () => {
    sb = await startSandbox({ fault: 'stripe:degraded', ordersPerMinute: 6000 });
    // a 50/50 volume split from the start, written to the emulated Hyperswitch as payctl would
    const headers = { 'api-key': sb.env().SANDBOX_HYPERSWITCH_KEY, 'content-type': 'application/json' };
    const output = (p: string) => ({ connector: p, merchant_connector_id: `mca_sandbox_${p}` });
    const created = (await (
      await fetch(`${sb.url}/hyperswitch/routing`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: 'half',
          algorithm: {
            type: 'volume_split',
            data: [
              { split: 50, output: output('stripe') },
              { split: 50, output: output('adyen') },
            ],
          },
        }),
      })
    ).json()) as { id: string };
    await fetch(`${sb.url}/hyperswitch/routing/${created.id}/activate`, { method: 'POST', headers });

    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const work = mkdtempSync(join(tmpdir(), 'payctl-prometheus-'));
    writeFileSync(
      join(work, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [{ job_name: 'sandbox', metrics_path: '/metrics', static_configs: [{ targets: [new URL(sb.url).host] }] }],
      }),
    );
    prom = spawn(
      BIN,
      [
        `--config.file=${join(work, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(work, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    prom.stderr!.on('data', (d) => {
      promLog += String(d);
    });
    // ready, and a few scrapes in: rate() needs two samples in its window
    const deadline = Date.now() + 30_000;
    for (;;) {
      expect(Date.now(), `prometheus did not scrape the sandbox in 30s:\n${promLog}`).toBeLessThan(deadline);
      try {
        const r = await getJson(
          `${promUrl}/api/v1/query?query=${encodeURIComponent('count_over_time(payments_attempted_total{provider="stripe"}[1m])')}`,
        );
        if (Number(r.data?.result?.[0]?.value?.[1] ?? 0) >= 5) break;
      } catch {
        // not listening yet
      }
      await new Promise((res) => setTimeout(res, 250));
    }

    dir = tempProject();
    const config = sb.configObject() as { metrics: { url: string } };
    config.metrics.url = promUrl;
    writeFileSync(join(dir, 'payctl.config.yaml'), stringify(config));
  }, 60_000);

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((res) => prom!.once('exit', res));
      prom.kill('SIGTERM');
      await exited;
    }
    await sb?.close();
  });

  it('the sandbox exposes its counters in the exposition format Prometheus scrapes', async () => {
    const { text } = await sandboxCounts(sb);
    expect(text).toContain('# TYPE payments_attempted_total counter');
    expect(text).toMatch(/^payments_declined_total\{provider="stripe",code="try_again_later"\} \d+$/m);
    const up = await getJson(`${promUrl}/api/v1/query?query=up`);
    expect(up.data.result[0].value[1]).toBe('1');
  });

  it('check reads the overall success rate through real PromQL, matching the sandbox', async () => {
    const r = await run(['check', '--json']);
    const snap = JSON.parse(r.stdout);
    const own = await sandboxCounts(sb);
    expect(own.overall).toBeGreaterThan(0.87);
    expect(own.overall).toBeLessThan(0.91);
    expect(Math.abs(snap.success_rate.value - own.overall)).toBeLessThan(TOLERANCE);
    expect(snap.success_rate.healthy).toBe(false); // below 0.95: check says so (exit 4)
    expect(r.code).toBe(4);
  });

  it('query_metrics reads overall, per provider and decline codes through real PromQL', async () => {
    writeFileSync(
      join(dir, 'playbooks', 'rates.yaml'),
      stringify({
        id: 'rates',
        title: 'Rates',
        severity: 'sev3',
        steps: [
          { id: 'all', title: 'All', type: 'query_metrics', metric: 'success_rate', window: '1m' },
          { id: 'stripe', title: 'Stripe', type: 'query_metrics', metric: 'success_rate', window: '1m', provider: 'stripe' },
          { id: 'adyen', title: 'Adyen', type: 'query_metrics', metric: 'success_rate', window: '1m', provider: 'adyen' },
          { id: 'codes', title: 'Codes', type: 'query_metrics', metric: 'decline_codes', window: '1m', provider: 'stripe' },
        ],
      }),
    );
    const r = await run(['incident', 'start', '--playbook', 'rates', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const id = JSON.parse(r.stdout).incident;
    const show = JSON.parse((await run(['incident', 'show', id, '--json'])).stdout);
    const result = (step: string) => show.incident.steps[step].result;
    const own = await sandboxCounts(sb);
    expect(Math.abs(result('all').value - own.overall)).toBeLessThan(TOLERANCE);
    expect(Math.abs(result('stripe').value - own.stripe)).toBeLessThan(TOLERANCE);
    expect(Math.abs(result('adyen').value - own.adyen)).toBeLessThan(TOLERANCE);
    expect(result('stripe').value).toBeLessThan(0.85);
    expect(result('adyen').value).toBeGreaterThan(0.97);
    const codes = result('codes').breakdown as Record<string, number>;
    expect(Object.entries(codes).sort((a, b) => b[1] - a[1])[0]![0]).toBe('try_again_later');
  }, 30_000);

  it("the canary reads the primary's own rate from Prometheus and halts while it fails", async () => {
    const r = await run(canaryFailbackArgs('75,100', '3s'));
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    const halted = (out.canary.stages as { result: string; success_rate: number; attempts: number }[]).find((s) => s.result === 'halted')!;
    const own = await sandboxCounts(sb);
    expect(Math.abs(halted.success_rate - own.stripe)).toBeLessThan(0.05);
    expect(halted.attempts).toBeGreaterThanOrEqual(20);
    expect(sb.state().routing.split).toEqual({ stripe: 50, adyen: 50 }); // rolled back to the last good split
  }, 60_000);
});

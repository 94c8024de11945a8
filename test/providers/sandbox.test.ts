/**
 * The adapters and commands against the real sandbox (src/sandbox) over HTTP:
 * the built payctl spawned end to end, and step handlers in process.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { notify } from '../../src/steps/notify.js';
import { switch_provider } from '../../src/steps/switch-provider.js';
import { check_status } from '../../src/steps/check-status.js';
import { query_metrics } from '../../src/steps/query-metrics.js';
import { openIncident, runCliAsync, stepRun, tempDir, testContext } from './helpers.js';

let sb: SandboxHandle;
let dir: string;
let env: Record<string, string>;
const SECRET_VALUES = [
  'slack-DISTINCT-token-4471',
  'statuspage-DISTINCT-key-8812',
  'pdDISTINCTroutingkey000000009931',
  'hyperswitch-DISTINCT-key-2207',
  'webhook-DISTINCT-token-6650',
];

beforeAll(async () => {
  sb = await startSandbox();
  env = {
    SANDBOX_SLACK_WEBHOOK_URL: `${sb.url}/slack/services/T000/B000/${SECRET_VALUES[0]}`,
    SANDBOX_STATUSPAGE_KEY: SECRET_VALUES[1]!,
    SANDBOX_PAGERDUTY_KEY: SECRET_VALUES[2]!,
    SANDBOX_HYPERSWITCH_KEY: SECRET_VALUES[3]!,
    SANDBOX_WEBHOOK_TOKEN: `Bearer ${SECRET_VALUES[4]}`,
  };
  dir = tempDir('payctl-sandbox-');
  const config = { ...sb.configObject(), http: { timeout: '1s', retries: 1 } };
  writeFileSync(join(dir, 'payctl.config.yaml'), stringify(config));
  mkdirSync(join(dir, 'templates', 'messages'), { recursive: true });
  writeFileSync(
    join(dir, 'templates', 'messages', 'customer-acknowledge.yaml'),
    'description: ack\nstatuspage: { title: "Payment issues", body: "Some payments fail ({{ incident.id }})" }\nemail: { subject: "Payments", body: "Some payments fail" }\nbanner: "Some payments fail"\nslack: "Incident {{ incident.id }}: payments failing"\n',
  );
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

function noSecrets(...texts: string[]) {
  for (const t of texts) for (const s of SECRET_VALUES) expect(t).not.toContain(s);
}

describe('payctl check / providers / maintenance against the sandbox', () => {
  it('healthy: exit 0 with a table; stripe down: exit 4 naming stripe', async () => {
    const ok = await runCliAsync(['check'], { cwd: dir, env });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/PROVIDER\s+ROLE\s+STATUS\s+HEALTH/);
    expect(ok.stdout).toMatch(/stripe\s+primary\s+operational\s+ok/);
    expect(ok.stdout).toContain('all healthy');

    sb.injectFault('stripe:down');
    const bad = await runCliAsync(['check'], { cwd: dir, env });
    expect(bad.code).toBe(4);
    expect(bad.stdout).toMatch(/stripe\s+primary\s+major_outage\s+UNHEALTHY/);
    // the summary once (stdout); the error on stderr only names the outcome
    expect(bad.stdout).toContain('unhealthy: stripe: major_outage');
    expect(bad.stderr).toContain('payctl: unhealthy (exit 4)\nhint: payctl check --start-incident');
    expect((bad.stdout + bad.stderr).match(/stripe: major_outage/g)).toHaveLength(1);
    const json = await runCliAsync(['check', '--json'], { cwd: dir, env });
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout).healthy).toBe(false);
    expect(json.stderr).toContain('payctl: unhealthy: stripe: major_outage'); // nothing human on stdout: the error names the problems
    noSecrets(ok.stdout, ok.stderr, bad.stdout, bad.stderr);
  });

  it('stripe:silent: the status page says operational, our success rate says unhealthy (exit 4)', async () => {
    sb.injectFault('stripe:silent');
    await new Promise((res) => setTimeout(res, 2500)); // the simulated rate reaches ~80% over 2 s
    const r = await runCliAsync(['check', '--json'], { cwd: dir, env });
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    expect(doc.providers.find((p: { provider: string }) => p.provider === 'stripe')).toMatchObject({
      status: 'operational',
      healthy: true,
    });
    expect(doc.success_rate.value).toBeLessThan(0.85);
    expect(doc.healthy).toBe(false);
  });

  it('--json prints one JSON document; --provider checks one', async () => {
    sb.injectFault('adyen:degraded');
    const r = await runCliAsync(['check', '--json', '--provider', 'adyen'], { cwd: dir, env });
    const doc = JSON.parse(r.stdout);
    expect(r.code).toBe(0); // degraded_performance is not in thresholds.unhealthy_statuses
    expect(doc.providers).toHaveLength(1);
    expect(doc.providers[0]).toMatchObject({ provider: 'adyen', status: 'degraded_performance', role: 'backup', healthy: true });
    expect(doc.success_rate).toMatchObject({ threshold: 0.95 });
  });

  it('a status page that hangs is bounded by http.timeout; garbage is named', async () => {
    sb.injectFault('stripe:hang');
    sb.injectFault('adyen:garbage');
    const r = await runCliAsync(['check', '--json'], { cwd: dir, env });
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    const by = Object.fromEntries(doc.providers.map((p: { provider: string }) => [p.provider, p]));
    expect(by.stripe.error).toContain('stripe status page: GET');
    expect(by.stripe.error).toContain('did not answer within 1s');
    expect(by.adyen.error).toMatch(/^adyen status page: GET \S+ returned HTML, not JSON \(HTTP 200\)/); // a status page's garbage is an HTML page
    expect(by.braintree.healthy).toBe(true);
  });

  it('providers shows roles and where traffic goes now', async () => {
    const r = await runCliAsync(['providers', '--json'], { cwd: dir, env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.traffic).toMatchObject({ active: 'stripe', order: ['stripe', 'adyen', 'braintree'] });
    expect(doc.providers.map((p: { name: string; role: string }) => `${p.name}:${p.role}`)).toEqual([
      'stripe:primary',
      'adyen:backup',
      'braintree:backup',
    ]);
    const human = await runCliAsync(['providers'], { cwd: dir, env });
    expect(human.stdout).toContain('traffic: stripe → adyen → braintree (hyperswitch at');
    noSecrets(r.stdout, r.stderr, human.stdout, human.stderr);
  });

  it('maintenance lists windows sorted, active first, with the playbook hint', async () => {
    sb.injectFault('adyen:maintenance');
    const r = await runCliAsync(['maintenance', '--json'], { cwd: dir, env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.windows.length).toBeGreaterThanOrEqual(2);
    expect(doc.windows[0]).toMatchObject({
      provider: 'adyen',
      active: true,
    });
    expect(doc.windows[0].hint).toBe(
      `payctl incident start --playbook scheduled-maintenance --var provider=adyen --var "window=${doc.windows[0].window}"`,
    );
    const starts = doc.windows
      .filter((w: { active: boolean }) => !w.active)
      .map((w: { scheduled_for: string }) => Date.parse(w.scheduled_for));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    const human = await runCliAsync(['maintenance'], { cwd: dir, env });
    expect(human.stdout).toContain(`→ ${doc.windows[0].hint}`);
    // a table whose columns line up under the header, whatever the provider names' lengths
    const lines = human.stdout.split('\n');
    const header = lines[0]!;
    expect(header).toMatch(/^STATE\s+PROVIDER\s+WINDOW\s+TITLE$/);
    const rows = lines.slice(1, 1 + doc.windows.length);
    doc.windows.forEach((w: { provider: string; name: string; active: boolean }, i: number) => {
      const row = rows[i]!;
      expect(row.startsWith(w.active ? 'ACTIVE' : 'upcoming')).toBe(true);
      expect(row.indexOf(` ${w.provider} `) + 1).toBe(header.indexOf('PROVIDER'));
      expect(row.search(/\d{4}-\d\d-\d\d /)).toBe(header.indexOf('WINDOW'));
      expect(row.indexOf(w.name)).toBe(header.indexOf('TITLE'));
    });
    expect(new Set(doc.windows.map((w: { provider: string }) => w.provider)).size).toBeGreaterThan(1);
  });
});

describe('step handlers against the sandbox', () => {
  it('check_status and query_metrics read the sandbox', async () => {
    sb.injectFault('stripe:down');
    const { ctx } = testContext(dir, env);
    const session = await openIncident(ctx);
    const st = await check_status(stepRun(ctx, session, { id: 'check', title: 'Check', type: 'check_status', provider: 'stripe' }));
    expect(st).toMatchObject({ outcome: 'ok', result: { provider: 'stripe', status: 'major_outage' } });
    const m = await query_metrics(
      stepRun(ctx, session, { id: 'rate', title: 'Rate', type: 'query_metrics', metric: 'success_rate', window: '5m' }),
    );
    expect(m.outcome).toBe('ok');
    expect(typeof (m.result as { value: number }).value).toBe('number');
  });

  it('switch_provider moves traffic to the backup, verified, with the idempotency key', async () => {
    sb.injectFault('stripe:down');
    const { ctx } = testContext(dir, env);
    const session = await openIncident(ctx);
    const run = stepRun(ctx, session, { id: 'switch', title: 'Fail over', type: 'switch_provider', to: 'adyen' });
    const r = await switch_provider(run);
    expect(r).toMatchObject({
      outcome: 'ok',
      result: {
        from: 'stripe',
        to: 'adyen',
        verified: true,
        before: ['stripe', 'adyen', 'braintree'],
        after: ['adyen', 'stripe', 'braintree'],
      },
    });
    expect(sb.state().routing.order[0]).toBe('adyen');
    const post = sb.requests({ target: 'hyperswitch', method: 'POST' }).at(-1)!;
    expect(post.headers['idempotency-key']).toBe(run.idempotencyKey);
  });

  it('switch_provider refuses a target in major_outage, and rolls back when the read-back is stale', async () => {
    sb.injectFault('adyen:down');
    const { ctx } = testContext(dir, env);
    const session = await openIncident(ctx);
    const refused = await switch_provider(stepRun(ctx, session, { id: 's1', title: 'Fail over', type: 'switch_provider', to: 'adyen' }));
    expect(refused).toMatchObject({ outcome: 'failed', retryable: false });
    expect(refused.outcome === 'failed' && refused.error).toContain('its status page shows major_outage');

    sb.heal();
    sb.injectFault('hyperswitch:stale');
    const logs: string[] = [];
    const r = await switch_provider(
      stepRun(ctx, session, { id: 's2', title: 'Fail over', type: 'switch_provider', to: 'braintree' }, { logs }),
    );
    expect(r.outcome).toBe('failed');
    expect(r.outcome === 'failed' && r.error).toContain('routing read-back disagrees with the write: asked for braintree first');
    expect(r.result).toMatchObject({ verified: false, rolled_back: true });
    noSecrets(JSON.stringify(r), logs.join('\n'));
  });

  it('notify with Slack failing still reaches the status page and email', async () => {
    sb.injectFault('slack:errors');
    const { ctx, stdout, stderr } = testContext(dir, env);
    const session = await openIncident(ctx);
    const logs: string[] = [];
    const r = await notify(
      stepRun(
        ctx,
        session,
        { id: 'tell', title: 'Tell', type: 'notify', channels: ['slack', 'statuspage', 'email'], template: 'customer-acknowledge' },
        { logs },
      ),
    );
    expect(r.outcome).toBe('ok');
    expect(r.result).toMatchObject({ channels: { slack: { ok: false, status: 500 }, statuspage: { ok: true }, email: { ok: true } } });
    expect(sb.state().statuspage.incidents.length).toBe(1);
    noSecrets(JSON.stringify(r), logs.join('\n'), stdout.text, stderr.text, readFileSync(session.where(), 'utf8'));
  });
});

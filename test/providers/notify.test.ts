import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notify } from '../../src/steps/notify.js';
import { escalate } from '../../src/steps/escalate.js';
import type { StepOf } from '../../src/playbook/schema.js';
import {
  openIncident,
  recordStep,
  sendJson,
  sendText,
  startServer,
  stepRun,
  tempProject,
  testContext,
  type TestServer,
} from './helpers.js';

const SECRETS = {
  SLACK_URL: '', // set once the server runs
  SP_KEY: 'SP-SECRET-KEY-5512',
  PD_KEY: 'PDSECRETROUTINGKEY00000000000042',
  WH_TOKEN: 'Bearer WH-SECRET-8890',
};
const SLACK_PATH = '/slack/services/T1/B1/xoxb-SLACK-SECRET-771';

let srv: TestServer;
let slackMode: 'ok' | 'down' | 'not_found' | 'rate_limited_once';
let pdMode: 'ok' | 'bad';
let spCounter = 0;

beforeAll(async () => {
  srv = await startServer();
  SECRETS.SLACK_URL = `${srv.url}${SLACK_PATH}`;
  let limited = false;
  srv.route(`POST ${SLACK_PATH}`, (_r, res) => {
    if (slackMode === 'down') return sendText(res, 500, 'rollup_error');
    if (slackMode === 'not_found') return sendText(res, 404, 'channel_not_found');
    if (slackMode === 'rate_limited_once' && !limited) {
      limited = true;
      return sendText(res, 429, 'rate_limited', { 'retry-after': '0' });
    }
    sendText(res, 200, 'ok');
  });
  srv.route('POST /sp/v1/pages/page1/incidents', (_r, res) => sendJson(res, 201, { id: `sp-inc-${++spCounter}` }));
  srv.route('GET /sp/v1/pages/page1/incidents/unresolved', (_r, res) => sendJson(res, 200, [])); // none created for this incident yet
  srv.route('PATCH /sp/v1/pages/page1/incidents/sp-inc-1', (_r, res) => sendJson(res, 200, { id: 'sp-inc-1' }));
  srv.route('POST /pd/v2/enqueue', (r, res) => {
    const b = r.json as { dedup_key: string };
    if (pdMode === 'bad')
      return sendJson(res, 400, {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"],
      });
    sendJson(res, 202, { status: 'success', message: 'Event processed', dedup_key: b.dedup_key });
  });
  for (const w of ['email', 'banner', 'ticket'])
    srv.route(`POST /webhook/${w}`, (_r, res) => sendJson(res, 200, { ok: true, id: `${w}-1` }));
});
afterAll(() => srv.close());
beforeEach(() => {
  slackMode = 'ok';
  pdMode = 'ok';
});

const TEMPLATES = {
  'customer-acknowledge': `description: ack
vars:
  impact: { description: what customers see, default: "Some card payments may fail" }
statuspage: { title: "Payment issues", body: "{{ vars.impact }}. We are on it ({{ incident.id }})." }
email: { subject: "About your payments", body: "{{ vars.impact }}." }
banner: "{{ vars.impact }}"
slack: "Incident {{ incident.id }}: {{ vars.impact }}"
`,
  'processor-escalation': `description: to the processor
vars:
  provider: { description: who, required: true }
  observed: { description: what, default: "elevated authorisation failures" }
email: { subject: "Urgent: {{ vars.provider }} {{ vars.observed }}", body: "We see {{ vars.observed }} on {{ vars.provider }}." }
slack: "{{ vars.provider }}: {{ vars.observed }}"
`,
};

function project() {
  const yaml = `
providers:
  stripe:
    kind: stripe
    escalation: { pagerduty_channel: pagerduty, ticket_channel: processor-support }
routing: { primary: stripe }
channels:
  slack: { type: slack, webhook_url: env:SLACK_URL }
  statuspage: { type: statuspage, base_url: ${srv.url}/sp/v1, page_id: page1, api_key: env:SP_KEY, component_ids: { stripe: comp-stripe } }
  email: { type: webhook, url: ${srv.url}/webhook/email, purpose: email, headers: { Authorization: env:WH_TOKEN } }
  banner: { type: webhook, url: ${srv.url}/webhook/banner, purpose: banner, body: { text: "{{ message.body }}", level: warning } }
  pagerduty: { type: pagerduty, routing_key: env:PD_KEY, base_url: ${srv.url}/pd }
  processor-support: { type: webhook, url: ${srv.url}/webhook/ticket, purpose: ticket }
http: { timeout: 2s, retries: 1 }
`;
  const dir = tempProject(yaml, TEMPLATES);
  return testContext(dir, { ...SECRETS });
}

const notifyStep = (channels: string[], id = 'tell'): StepOf<'notify'> => ({
  id,
  title: 'Tell customers',
  type: 'notify',
  channels,
  template: 'customer-acknowledge',
  vars: { impact: 'Card payments are failing' },
});

function scanForSecrets(...texts: string[]) {
  for (const t of texts)
    for (const s of [SECRETS.SP_KEY, SECRETS.PD_KEY, 'WH-SECRET-8890', 'xoxb-SLACK-SECRET-771']) expect(t).not.toContain(s);
}

describe('notify', () => {
  it('sends every channel concurrently with per-channel idempotency keys and records each result', async () => {
    const { ctx, stdout, stderr } = project();
    const session = await openIncident(ctx);
    const logs: string[] = [];
    const run = stepRun(ctx, session, notifyStep(['slack', 'statuspage', 'email', 'banner']), { logs, inputs: { provider: 'stripe' } });
    const r = await notify(run);
    expect(r.outcome).toBe('ok');
    expect(r.result).toMatchObject({
      template: 'customer-acknowledge',
      channels: {
        slack: { ok: true, status: 200 },
        statuspage: { ok: true, id: 'sp-inc-1' },
        email: { ok: true, id: 'email-1' },
        banner: { ok: true },
      },
    });
    const slack = srv.requests.filter((x) => x.path === SLACK_PATH).at(-1)!;
    expect(slack.headers['idempotency-key']).toBe(`payctl-${session.id}-tell-slack`);
    expect((slack.json as { text: string; blocks: unknown[] }).text).toBe(`Incident ${session.id}: Card payments are failing`);
    expect((slack.json as { blocks: unknown[] }).blocks.length).toBeGreaterThan(0);
    const sp = srv.requests.filter((x) => x.path.startsWith('/sp/')).at(-1)!;
    expect(sp.headers.authorization).toBe(`OAuth ${SECRETS.SP_KEY}`);
    expect(sp.json).toMatchObject({
      incident: {
        name: 'Payment issues',
        status: 'investigating',
        component_ids: ['comp-stripe'],
        components: { 'comp-stripe': 'partial_outage' },
      },
    });
    expect(srv.requests.filter((x) => x.path === '/webhook/banner').at(-1)!.json).toEqual({
      text: 'Card payments are failing',
      level: 'warning',
    });
    expect(srv.requests.filter((x) => x.path === '/webhook/email').at(-1)!.json).toMatchObject({
      subject: 'About your payments',
      purpose: 'email',
    });
    await recordStep(session, run, r);
    scanForSecrets(JSON.stringify(r), logs.join('\n'), stdout.text, stderr.text, readFileSync(session.where(), 'utf8'));

    // a later notify updates the same status page incident
    await session.append({ type: 'status_changed', data: { from: 'investigating', to: 'monitoring' } });
    const run2 = stepRun(ctx, session, notifyStep(['statuspage'], 'update'));
    const r2 = await notify(run2);
    expect(r2).toMatchObject({ outcome: 'ok', result: { channels: { statuspage: { ok: true, id: 'sp-inc-1' } } } });
    const patch = srv.requests.filter((x) => x.method === 'PATCH').at(-1)!;
    expect(patch.path).toBe('/sp/v1/pages/page1/incidents/sp-inc-1');
    expect(patch.json).toMatchObject({ incident: { status: 'monitoring' } });
  });

  it('Slack down does not stop the other channels; the step is ok with the failure listed', async () => {
    slackMode = 'down';
    const { ctx } = project();
    const session = await openIncident(ctx);
    const logs: string[] = [];
    const r = await notify(stepRun(ctx, session, notifyStep(['slack', 'email']), { logs }));
    expect(r.outcome).toBe('ok');
    expect(r.result).toMatchObject({ channels: { slack: { ok: false, status: 500 }, email: { ok: true } } });
    const err = (r.result!.channels as Record<string, { error: string }>).slack.error;
    expect(err).toBe(`slack channel "slack": POST ${srv.url}/*** → HTTP 500 after 2 attempts: Slack had an internal error (rollup_error)`);
    expect(r).toMatchObject({ outcome: 'ok', message: 'notified email', warning: `failed: slack (${err})` });
    scanForSecrets(JSON.stringify(r), logs.join('\n'));
  });

  it('Slack 404 channel_not_found is explained; all channels failing fails the step', async () => {
    slackMode = 'not_found';
    const { ctx } = project();
    const session = await openIncident(ctx);
    const r = await notify(stepRun(ctx, session, notifyStep(['slack'])));
    expect(r.outcome).toBe('failed');
    if (r.outcome !== 'failed') return;
    expect(r.error).toContain("HTTP 404: the webhook's channel no longer exists (channel_not_found)");
    expect(r.retryable).toBe(false);
  });

  it('Slack 429 with Retry-After is retried', async () => {
    slackMode = 'rate_limited_once';
    const { ctx } = project();
    const session = await openIncident(ctx);
    const r = await notify(stepRun(ctx, session, notifyStep(['slack'])));
    expect(r).toMatchObject({ outcome: 'ok', result: { channels: { slack: { ok: true } } } });
  });

  it('an unknown channel fails that channel only', async () => {
    const { ctx } = project();
    const session = await openIncident(ctx);
    const r = await notify(stepRun(ctx, session, notifyStep(['email', 'fax'])));
    expect(r).toMatchObject({ outcome: 'ok', result: { channels: { fax: { ok: false, error: 'unknown channel "fax"' } } } });
  });

  it('dry run sends nothing and prints each write', async () => {
    const { ctx } = project();
    const dry = testContext(ctx.cwd, { ...SECRETS }, { dryRun: true }).ctx;
    const session = await openIncident(dry);
    const before = srv.requests.length;
    const logs: string[] = [];
    const r = await notify(stepRun(dry, session, notifyStep(['slack', 'statuspage', 'email']), { logs }));
    expect(r.outcome).toBe('ok');
    expect(srv.requests.length).toBe(before);
    expect(logs.filter((l) => l.startsWith('[dry-run] would POST')).length).toBe(3);
    expect(logs.join('\n')).toContain(`[dry-run] would POST ${srv.url}/*** {"text":`);
    scanForSecrets(logs.join('\n'));
  });
});

describe('escalate', () => {
  const step = (action?: 'trigger' | 'acknowledge' | 'resolve', id = 'page'): StepOf<'escalate'> => ({
    id,
    title: 'Page',
    type: 'escalate',
    to: 'stripe',
    template: 'processor-escalation',
    ...(action ? { action } : {}),
  });

  it('triggers PagerDuty (sev1 → critical) with the idempotency key as dedup_key and sends the ticket; later steps reuse the dedup key', async () => {
    const { ctx } = project();
    const session = await openIncident(ctx, 'sev1');
    const run = stepRun(ctx, session, step());
    const r = await escalate(run);
    expect(r).toMatchObject({
      outcome: 'ok',
      result: {
        provider: 'stripe',
        action: 'trigger',
        dedup_key: `payctl-${session.id}-page`,
        channels: { pagerduty: { ok: true, status: 202 }, 'processor-support': { ok: true, id: 'ticket-1' } },
      },
    });
    const pd = srv.requests.filter((x) => x.path === '/pd/v2/enqueue').at(-1)!.json as Record<string, any>;
    expect(pd).toMatchObject({
      routing_key: SECRETS.PD_KEY,
      event_action: 'trigger',
      dedup_key: `payctl-${session.id}-page`,
      payload: { severity: 'critical', summary: 'Urgent: stripe elevated authorisation failures', source: 'payctl' },
    });
    expect(srv.requests.filter((x) => x.path === '/webhook/ticket').at(-1)!.json).toMatchObject({
      subject: 'Urgent: stripe elevated authorisation failures',
    });
    await recordStep(session, run, r);

    const ack = await escalate(stepRun(ctx, session, step('resolve', 'resolve-page')));
    expect(ack).toMatchObject({ outcome: 'ok', result: { action: 'resolve', dedup_key: `payctl-${session.id}-page` } });
    const last = srv.requests.filter((x) => x.path === '/pd/v2/enqueue').at(-1)!.json as Record<string, unknown>;
    expect(last).toEqual({ routing_key: SECRETS.PD_KEY, event_action: 'resolve', dedup_key: `payctl-${session.id}-page` });
    expect(JSON.stringify(r) + JSON.stringify(ack) + readFileSync(session.where(), 'utf8')).not.toContain(SECRETS.PD_KEY);
  });

  it('a PagerDuty 400 shows its errors list; acknowledge without a trigger is refused', async () => {
    pdMode = 'bad';
    const { ctx } = project();
    const session = await openIncident(ctx);
    const r = await escalate(stepRun(ctx, session, step()));
    expect(r.outcome).toBe('ok'); // the ticket still went out
    const pd = (r.result!.channels as Record<string, { ok: boolean; error: string }>).pagerduty;
    expect(pd.ok).toBe(false);
    expect(pd.error).toBe(
      `pagerduty channel "pagerduty": POST ${srv.url}/pd/v2/enqueue → HTTP 400: Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)`,
    );
    expect(r).toMatchObject({ message: 'escalated to stripe (trigger) via processor-support', warning: `failed: pagerduty (${pd.error})` });
    const fresh = await openIncident(ctx);
    expect(await escalate(stepRun(ctx, fresh, step('acknowledge')))).toMatchObject({
      outcome: 'failed',
      error: 'nothing to acknowledge: no earlier escalate step paged about stripe in this incident',
    });
  });
});

/**
 * payctl serve's HTTP server without a browser: real requests to a server on
 * 127.0.0.1 port 0 over a directory store in a temp directory (the access
 * token, 404/405/403, escaping of untrusted text, what the pages show, the
 * event streams delivering appended events).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerSecret } from '../../src/secrets.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { DirectoryStore } from '../../src/store/directory.js';
import type { Store } from '../../src/store/store.js';
import type { NewEvent } from '../../src/timeline/events.js';
import { describeWithPostgres, freshDatabase, openTestStore } from '../helpers/postgres.js';
import { failoverStepEvents } from '../helpers/events.js';
import { openIncidentIn } from '../helpers/incidents.js';
import { openSse, type SseStream } from '../helpers/sse.js';

const XSS_TITLE = 'Stripe down <img src=x onerror="alert(1)"> & more';
const XSS_NOTE = '</li><script>alert("note")</script>';
const TOKEN = 'serve-test-token-0123456789abcdef';

let storeDir: string;
let store: Store;
const servers: RunningServer[] = [];
const streams: SseStream[] = [];

beforeAll(() => {
  storeDir = join(mkdtempSync(join(tmpdir(), 'payctl-serve-')), 'incidents');
  store = new DirectoryStore(storeDir);
});
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  for (const s of servers.splice(0)) await s.close();
});
afterAll(async () => store.close());

async function serve(token?: string): Promise<RunningServer> {
  const errors: string[] = [];
  const s = await startServer({ host: '127.0.0.1', port: 0, token, store, storeDir, onError: (m) => errors.push(m) });
  servers.push(s);
  return s;
}

async function sse(url: string, headers?: Record<string, string>): Promise<SseStream> {
  const s = await openSse(url, headers);
  streams.push(s);
  return s;
}

async function openIncident(id: string, title: string, more: NewEvent[] = []): Promise<void> {
  await openIncidentIn(store, id, { actor: 'alice', title, severity: 'sev1', playbook: 'processor-outage', more });
}

async function append(id: string, events: NewEvent[], actor = 'bob'): Promise<void> {
  const w = await store.appender(id, { actor });
  await w.appendAll(events);
  await w.close();
}

/** A run stopped at a second-person gate, `offline`, that waits for someone else's approval. */
const WAITING_FOR_A_SECOND_PERSON: NewEvent[] = [
  { type: 'run_started', data: { pid: 1, resume: false, dry_run: false } },
  { type: 'approval_requested', step: 'offline', data: { question: 'Take checkout offline?', second_person: true } },
  { type: 'run_stopped', step: 'offline', data: { reason: 'waiting for a second person', exit_code: 3 } },
];

/** A failover and a customer message, as a playbook run records them. */
const RUN_EVENTS: NewEvent[] = [
  { type: 'role_assigned', data: { role: 'commander', person: 'alice' } },
  { type: 'role_assigned', data: { role: 'comms', person: 'carol <c@example.com>' } },
  ...failoverStepEvents({ title: 'Move card traffic', idempotencyKey: 'k1', durationMs: 12 }),
  {
    type: 'step_started',
    step: 'acknowledge',
    data: {
      step_type: 'notify',
      title: 'Tell customers',
      attempt: 1,
      idempotency_key: 'k2',
      params: { template: 'customer-acknowledge', channels: ['statuspage', 'banner'], vars: { impact: 'Card payments <b>may</b> fail' } },
    },
  },
  { type: 'channel_sent', step: 'acknowledge', data: { channel: 'statuspage', attempt: 1 } },
  {
    type: 'step_completed',
    step: 'acknowledge',
    data: {
      step_type: 'notify',
      outcome: 'ok',
      attempt: 1,
      duration_ms: 40,
      result: { template: 'customer-acknowledge', channels: { statuspage: { ok: true }, banner: { ok: false, error: 'HTTP 503' } } },
    },
  },
];

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const r = await fetch(url, { redirect: 'manual', ...init });
  return { status: r.status, body: await r.text(), headers: r.headers };
}

describe('payctl serve pages', () => {
  it('lists an open incident with its status as a word, roles, time since detection and routing; untrusted text is escaped', async () => {
    const id = '20261206-050000-aaaa';
    await openIncident(id, XSS_TITLE, [...RUN_EVENTS, { type: 'note_added', data: { text: XSS_NOTE } }]);
    const s = await serve();
    const list = await get(s.url);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-security-policy')).toMatch(/script-src 'sha256-[^']+'; style-src/);
    expect(list.body).toContain('<h1>Incidents</h1>');
    expect(list.body).toContain('Stripe down &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; more');
    expect(list.body).not.toContain('<img');
    expect(list.body).toMatch(/<span class="status status-investigating">investigating<\/span>/);
    expect(list.body).toContain('commander: alice, comms: carol &lt;c@example.com&gt;');
    expect(list.body).toContain('adyen 100%');
    expect(list.body).toMatch(/<span data-since="[^"]+">\d+s<\/span> ago/);

    const page = await get(`${s.url}incidents/${id}`);
    expect(page.status).toBe(200);
    // the only script on the page is payctl's own; the note's is text
    expect(page.body.match(/<script>/g)).toHaveLength(1);
    expect(page.body).toContain('&lt;/li&gt;&lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt;');
    expect(page.body).not.toContain('alert("note")');
    expect(page.body).toMatch(/<main id="main">\s*<h1>Stripe down &lt;img/);
    for (const h of ['Status', 'Roles', 'Traffic routing', 'Messages sent', 'Postmortem', 'Timeline'])
      expect(page.body).toContain(`>${h}</h2>`);
    expect(page.body).toContain('<dt>comms</dt><dd>carol &lt;c@example.com&gt;</dd>');
    expect(page.body).toContain('Now: <strong>adyen 100%</strong>');
    expect(page.body).toContain('Before the incident: stripe 100%.');
    expect(page.body).toContain('Tell customers (template customer-acknowledge)');
    expect(page.body).toContain('<li>statuspage: sent</li>');
    expect(page.body).toContain('banner: <span class="attention">failed</span> (HTTP 503)');
    expect(page.body).toContain('<dt>impact</dt><dd>Card payments &lt;b&gt;may&lt;/b&gt; fail</dd>');
    expect(page.body).toContain('Not written yet');
  });

  it('shows an approval still waiting for a second person, and no longer once it is given', async () => {
    const id = '20261206-050100-bbbb';
    await openIncident(id, 'Card testing attack', WAITING_FOR_A_SECOND_PERSON);
    const s = await serve();
    const page = await get(`${s.url}incidents/${id}`);
    expect(page.body).toContain('<span class="attention">waiting for approval</span> by a second person at step offline');
    expect(page.body).toContain(`payctl incident approve ${id}`);
    expect((await get(s.url)).body).toContain('waiting for approval');
    await append(id, [{ type: 'approval_given', step: 'offline', data: { by: 'person', waited_ms: 5000 } }]);
    expect((await get(`${s.url}incidents/${id}`)).body).not.toContain('waiting for approval');
  });

  it("a second person's approval given while no run goes on says who gave it and how to resume", async () => {
    const id = '20261206-050120-bbba';
    await openIncident(id, 'Card testing attack', WAITING_FOR_A_SECOND_PERSON);
    await append(id, [{ type: 'approval_given', step: 'offline', data: { by: 'second_person', waited_ms: 5000 } }]);
    const s = await serve();
    const page = (await get(`${s.url}incidents/${id}`)).body;
    expect(page).not.toContain('waiting for approval');
    expect(page).toContain('approved by bob at step offline');
    expect(page).toContain(`resume with <code>payctl incident resume ${id} --yes</code> (anyone but bob)`);
  });

  it('a gate asked at a terminal is waiting only while its run goes on', async () => {
    const id = '20261206-050150-bbbc';
    await openIncident(id, 'Gate at a terminal', [{ type: 'approval_requested', step: 'failover', data: { question: 'Move traffic?' } }]);
    const s = await serve();
    expect((await get(`${s.url}incidents/${id}`)).body).toContain('waiting for approval</span> by the person running it');
    await append(id, [{ type: 'run_stopped', step: 'failover', data: { reason: 'interrupted (Ctrl-C)', exit_code: 130 } }]);
    expect((await get(`${s.url}incidents/${id}`)).body).not.toContain('waiting for approval');
  });

  it('follows a canary failback stage by stage, and a halted stage back to the split it rolled back to', async () => {
    const id = '20261206-050170-bbbd';
    const stage = (n: number, share: number, result: 'switched' | 'held' | 'halted', extra = {}): NewEvent => ({
      type: 'traffic_stage',
      step: 'failback',
      data: { key: 'k', stage: n, share, to: 'stripe', result, ...extra },
    });
    await openIncident(id, 'Canary back to stripe', [
      {
        type: 'step_started',
        step: 'failback',
        data: { step_type: 'shift_traffic', title: 'Move traffic back', attempt: 1, idempotency_key: 'k' },
      },
      stage(0, 25, 'switched', {
        split: [
          { provider: 'adyen', percent: 75 },
          { provider: 'stripe', percent: 25 },
        ],
        start: [{ provider: 'adyen', percent: 100 }],
      }),
      stage(0, 25, 'held', { success_rate: 0.99 }),
      stage(1, 50, 'switched', {
        split: [
          { provider: 'adyen', percent: 50 },
          { provider: 'stripe', percent: 50 },
        ],
      }),
      stage(1, 50, 'halted', {
        reason: 'success rate 80% below 95%',
        rolled_back_to: [
          { provider: 'adyen', percent: 75 },
          { provider: 'stripe', percent: 25 },
        ],
      }),
    ]);
    const s = await serve();
    const page = (await get(`${s.url}incidents/${id}`)).body;
    expect(page).toContain('Now: <strong>adyen 75%, stripe 25%</strong>');
    expect(page).toContain('Before the incident: adyen 100%.');
    expect(page).toContain('canary stage 1: 25% to stripe (step failback): adyen 75%, stripe 25%');
    expect(page).toContain('canary stage 2: 50% to stripe (step failback): adyen 50%, stripe 50%');
    expect(page).toContain('canary halted at 50%: success rate 80% below 95% (step failback): adyen 75%, stripe 25%');
  });

  it('shows the postmortem draft once written, escaped', async () => {
    const id = '20261206-050200-cccc';
    await openIncident(id, 'Resolved one', [{ type: 'status_changed', data: { from: 'investigating', to: 'resolved' } }]);
    mkdirSync(join(storeDir, id), { recursive: true });
    writeFileSync(join(storeDir, id, 'postmortem.md'), '# Postmortem: <script>x()</script>\n');
    const s = await serve();
    const page = await get(`${s.url}incidents/${id}`);
    expect(page.body).toContain('<pre class="postmortem"># Postmortem: &lt;script&gt;x()&lt;/script&gt;');
    // resolved: listed under recently closed
    const list = await get(s.url);
    expect(list.body.indexOf('Resolved one')).toBeGreaterThan(list.body.indexOf('Recently closed'));
  });

  it('404 for an unknown incident or page (an id that would leave the store too), 405 for a write, 403 for a foreign Host', async () => {
    const s = await serve();
    for (const path of ['incidents/20991231-000000-zzzz', 'incidents/..%2F..%2Fetc', 'nothing-here', 'incidents/x/events/more']) {
      const r = await get(`${s.url}${path}`);
      expect(r.status, path).toBe(404);
      expect(r.body).toContain('<h1>Not found</h1>');
    }
    const unknown = await get(`${s.url}incidents/%3Cb%3Ebold`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).not.toContain('<b>');
    const post = await get(s.url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(s.url, { headers: { Host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe('payctl serve access token', () => {
  it('refuses a request without the token, accepts Bearer, and trades ?token= once for a cookie', async () => {
    const s = await serve(TOKEN);
    const none = await get(s.url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(none.body).not.toContain('Incidents</h1>');
    expect((await get(s.url, { headers: { Authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await get(s.url, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await get(`${s.url}?token=wrong-token-wrong-token`)).status).toBe(401);

    const link = await get(`${s.url}incidents/20261206-050000-aaaa?token=${TOKEN}&x=1`);
    expect(link.status).toBe(303);
    expect(link.headers.get('location')).toBe('/incidents/20261206-050000-aaaa?x=1');
    // the redirect stays on this server, whatever the path looks like
    for (const path of ['//evil.example/x', '/a/..//evil.example/x', '/a/..\\/evil.example/x']) {
      const location = await new Promise<string | undefined>((resolve, reject) => {
        // the path as sent (a URL string would be normalised by the client first)
        const req = request({ host: '127.0.0.1', port: s.port, path: `${path}?token=${TOKEN}` }, (res) => {
          res.resume();
          resolve(res.headers.location);
        });
        req.on('error', reject);
        req.end();
      });
      expect(location, path).toMatch(/^\/(?![/\\])/);
    }
    const cookie = link.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^payctl_serve=[0-9a-f]{64}; HttpOnly; SameSite=Lax; Path=\/$/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0]!;
    expect((await get(`${s.url}incidents/20261206-050000-aaaa`, { headers: { Cookie: session } })).status).toBe(200);
    expect((await get(s.url, { headers: { Cookie: 'payctl_serve=' + '0'.repeat(64) } })).status).toBe(401);
    // the event streams take the cookie too (a browser's EventSource sends it)
    const stream = await sse(`${s.url}events`, { Cookie: session });
    expect(stream.status).toBe(200);
    expect((await sse(`${s.url}events`)).status).toBe(401);
  });

  it('never shows the token, even when someone pastes it into a note', async () => {
    registerSecret(TOKEN);
    const id = '20261206-050300-dddd';
    await openIncident(id, 'Token pasted', [{ type: 'note_added', data: { text: `the link is ?token=${TOKEN}` } }]);
    const s = await serve(TOKEN);
    const page = await get(`${s.url}incidents/${id}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('the link is ?token=***');
    expect(page.body).not.toContain(TOKEN);
  });
});

/** The live part on a store: `use` makes it the one the tests' helpers and servers use. */
function eventStreams(name: string, use: () => Promise<void>) {
  beforeAll(use);

  it(`${name}: an incident's stream delivers an appended note (escaped) and the new summary, with the event's seq as its id`, async () => {
    const id = '20261206-050400-eeee';
    await openIncident(id, 'Live one');
    const s = await serve();
    const page = await get(`${s.url}incidents/${id}`);
    const after = /data-events="\/incidents\/[^/]+\/events\?after=(\d+)"/.exec(page.body)![1];
    expect(after).toBe('1');
    const stream = await sse(`${s.url}incidents/${id}/events?after=${after}`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    await new Promise((r) => setTimeout(r, 300));
    await append(id, [
      { type: 'note_added', data: { text: 'adyen <em>looks</em> fine' } },
      { type: 'role_assigned', data: { role: 'commander', person: 'dana' } },
    ]);
    const t = await stream.waitFor((e) => e.event === 'timeline');
    expect(t.id).toBe('3');
    expect(t.data).toContain('note: adyen &lt;em&gt;looks&lt;/em&gt; fine');
    expect(t.data).toMatch(/^<li id="e2">/);
    const summary = await stream.waitFor((e) => e.event === 'summary');
    expect(summary.data).toContain('<dt>commander</dt><dd>dana</dd>');
  });

  it(`${name}: a reconnect (Last-Event-ID) gets what it missed, once`, async () => {
    const id = '20261206-050500-ffff';
    await openIncident(id, 'Reconnects', [
      { type: 'note_added', data: { text: 'one' } },
      { type: 'note_added', data: { text: 'two' } },
    ]);
    const s = await serve();
    const stream = await sse(`${s.url}incidents/${id}/events`, { 'Last-Event-ID': '2' });
    const t = await stream.waitFor((e) => e.event === 'timeline');
    expect(t.data).toContain('note: two');
    expect(t.data).not.toContain('note: one');
  });

  it(`${name}: the list stream sends the list at once, then again with an incident created after it began`, async () => {
    const s = await serve();
    const stream = await sse(`${s.url}events`);
    await stream.waitFor((e) => e.event === 'incidents');
    const id = '20261206-050600-abcd';
    await openIncident(id, 'Appeared while watching');
    const next = await stream.waitFor((e) => e.event === 'incidents' && e.data.includes('Appeared while watching'));
    expect(next.data).toMatch(/^<div id="incidents">/);
    expect(next.data).toContain(`href="/incidents/${id}"`);
  });

  it(`${name}: closing the server ends the open streams`, async () => {
    const s = await serve();
    const stream = await sse(`${s.url}events`);
    await stream.waitFor((e) => e.event === 'incidents');
    servers.splice(servers.indexOf(s), 1);
    await s.close();
    await stream.ended;
  });
}

describe('payctl serve event streams (directory store)', () => {
  eventStreams('directory', async () => undefined);
});

describeWithPostgres('payctl serve event streams (PostgreSQL store)', () => {
  eventStreams('postgres', async () => {
    const previous = store;
    store = await openTestStore(await freshDatabase());
    afterAll(async () => {
      await store.close();
      store = previous;
    });
  });
});

/**
 * Partial secret echoes (issue 10, item 6): a server that answers with the
 * token from `Bearer <token>`, a query value of a secret URL, or the value of
 * an env: that only a playbook's http step names, must not put it on stdout,
 * stderr, --json, the timeline, incident show/export or postmortem.md; nor may
 * an `incident note` that quotes it.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TimelineWriter } from '../../src/timeline/writer.js';
import { clearSecretsForTest, redact, registerSecret, secretForms } from '../../src/secrets.js';
import { runCliAsync, sendJson, sendText, startServer, tempDir, type TestServer } from './helpers.js';

const BEARER = 'abcdef0123456789bearer';
const QUERY = 'qtok0123456789query';
const STEP = 'steptok0123456789';
const USERPASS = 'hunter2hunter2';
const PATH_TOKEN = 'AbCdSEKRETslackTok77';

describe('secretForms / redact', () => {
  afterEach(() => clearSecretsForTest());

  it('the token after a scheme word, Basic user:password, URL query values and user-info, percent-encoded too', () => {
    expect(secretForms(`Bearer ${BEARER}`)).toContain(BEARER);
    expect(secretForms(`token ${STEP}`)).toContain(STEP);
    const basic = Buffer.from(`ops:${USERPASS}`).toString('base64');
    expect(secretForms(`Basic ${basic}`)).toEqual(expect.arrayContaining([basic, `ops:${USERPASS}`, USERPASS]));
    const url = `https://ops:${USERPASS}@hooks.example.com/x?token=${QUERY}&sig=a%2Fb%2Bcdefgh`;
    expect(secretForms(url)).toEqual(expect.arrayContaining([QUERY, USERPASS, 'a/b+cdefgh', 'a%2Fb%2Bcdefgh']));
    registerSecret(`Bearer ${BEARER}`);
    registerSecret(url);
    expect(redact(`401 {"error":"invalid token ${BEARER}"}`)).toBe('401 {"error":"invalid token ***"}');
    expect(redact(`bad token=${QUERY}; user ops:${USERPASS}; sig a/b+cdefgh`)).toBe('bad token=***; user ***; sig ***');
    expect(redact(`Authorization: Bearer ${BEARER}`)).toBe('Authorization: ***');
  });

  it("a secret URL's path and each token-length segment of it: a server echoing the path, a note quoting the token", () => {
    const slack = 'https://hooks.slack.com/services/T0ABCDEF/B0GHIJKL/AbCdSEKRETslackTok77';
    expect(secretForms(slack)).toEqual(
      expect.arrayContaining(['/services/T0ABCDEF/B0GHIJKL/AbCdSEKRETslackTok77', 'AbCdSEKRETslackTok77']),
    );
    registerSecret(slack);
    expect(redact('HTTP 400: Cannot POST url=/services/T0ABCDEF/B0GHIJKL/AbCdSEKRETslackTok77')).toBe('HTTP 400: Cannot POST url=***');
    expect(redact('the token AbCdSEKRETslackTok77 was rotated')).toBe('the token *** was rotated');
    // short segments are words, not tokens: /services alone stays
    expect(redact('see /services and T0ABCDEF')).toBe('see /services and T0ABCDEF');
  });

  it('short parts are not masked (they would mask ordinary text)', () => {
    registerSecret('https://hooks.example.com/x?a=json&token=zzzzzzzzzz');
    expect(redact('format json, token zzzzzzzzzz')).toBe('format json, token ***');
  });
});

describe('the built payctl with servers that echo secrets back', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer({
      'POST /hook': (_q, res) => sendJson(res, 401, { error: `invalid token ${BEARER}`, query: `token=${QUERY} rejected` }),
      'GET /step': (_q, res) => sendText(res, 403, `forbidden: ${STEP} is revoked`),
      // as Express answers a path it does not know: the path, token and all
      [`POST /services/T0ABCDEF/B0GHIJKL/${PATH_TOKEN}`]: (q, res) => sendText(res, 400, `Cannot POST ${q.path}`),
    });
  });
  afterAll(() => srv.close());

  function project(): string {
    const dir = tempDir('payctl-secrets-');
    writeFileSync(
      join(dir, 'payctl.config.yaml'),
      `store: .payctl/incidents\nchannels:\n  hook: { type: webhook, url: env:HOOK_URL, headers: { Authorization: env:HOOK_AUTH } }\n  team: { type: webhook, url: env:TEAM_HOOK_URL }\n`,
    );
    mkdirSync(join(dir, 'templates', 'messages'), { recursive: true });
    writeFileSync(join(dir, 'templates', 'messages', 'ping.yaml'), 'description: Ping\nslack: "ping {{ incident.id }}"\n');
    mkdirSync(join(dir, 'playbooks'));
    writeFileSync(
      join(dir, 'playbooks', 'leak.yaml'),
      `id: leak
title: Leak
steps:
  - { id: tell, type: notify, title: Tell, template: ping, channels: [hook, team], on_failure: continue }
  - { id: call, type: http, title: Call, method: GET, url: "${srv.url}/step", headers: { X-Api-Token: env:STEP_TOKEN }, on_failure: continue }
  - { id: end, type: set_status, title: End, status: resolved }
`,
    );
    return dir;
  }

  const env = { HOOK_AUTH: `Bearer ${BEARER}`, STEP_TOKEN: `token ${STEP}` };
  const leaks = (text: string) => [BEARER, QUERY, STEP, PATH_TOKEN].filter((s) => text.includes(s));

  it('stdout, stderr, --json, the timeline, incident show/export, notes and postmortem.md hold none of them', async () => {
    const dir = project();
    const e = { ...env, HOOK_URL: `${srv.url}/hook?token=${QUERY}`, TEAM_HOOK_URL: `${srv.url}/services/T0ABCDEF/B0GHIJKL/${PATH_TOKEN}` };
    const run = (args: string[]) => runCliAsync(args, { cwd: dir, env: e });
    const started = await run(['incident', 'start', '--playbook', 'leak', '--yes', '--title', 'Leak test']);
    expect(started.stderr + started.stdout).toMatch(/invalid token \*\*\*/);
    const json = await run(['incident', 'start', '--playbook', 'leak', '--yes', '--title', 'Leak test', '--json']);
    const outputs = [started.stdout, started.stderr, json.stdout, json.stderr];
    // the incident's directory (the store also keeps its listing cache, .listed.json, beside it)
    const id = readdirSync(join(dir, '.payctl', 'incidents'), { withFileTypes: true }).find((d) => d.isDirectory())!.name;
    const note = await runCliAsync(['incident', 'note', id, `vendor said ${BEARER} and ${STEP} are fine, ${PATH_TOKEN} too`], {
      cwd: dir,
      env: e,
    });
    expect(note.code, note.stderr).toBe(0);
    for (const args of [
      ['incident', 'show', id],
      ['incident', 'show', id, '--json'],
      ['incident', 'export', id],
      ['postmortem', id],
    ]) {
      const r = await run(args);
      outputs.push(r.stdout, r.stderr);
    }
    const files = readdirSync(join(dir, '.payctl', 'incidents', id));
    expect(files).toContain('postmortem.md');
    for (const f of files) outputs.push(readFileSync(join(dir, '.payctl', 'incidents', id, f), 'utf8'));
    const all = outputs.join('\n');
    expect(all).toContain('vendor said *** and *** are fine, *** too');
    expect(all).toContain('Cannot POST ***'); // the team hook's 400 echoes its path
    expect(all).toContain('forbidden: *** is revoked'); // the http step's failure body, in the timeline
    expect(leaks(all)).toEqual([]);
  });

  it("a token that only a shipped playbook names (security-incident's FRAUD_RULES_TOKEN) is masked in a note", async () => {
    const dir = tempDir('payctl-secrets-');
    writeFileSync(join(dir, 'payctl.config.yaml'), 'store: .payctl/incidents\n');
    const id = '20260101-000000-fr01';
    const w = new TimelineWriter(join(dir, '.payctl', 'incidents', id, 'timeline.jsonl'), { actor: 'test' });
    await w.append({ type: 'incident_opened', data: { id, title: 'Card testing', severity: 'sev1', dry_run: false, source: 'test' } });
    const token = 'fraud-rules-token-31337';
    const e = { FRAUD_RULES_TOKEN: `Bearer ${token}` };
    const note = await runCliAsync(['incident', 'note', id, `the rules API rejected ${token}`], { cwd: dir, env: e });
    expect(note.code, note.stderr).toBe(0);
    const timeline = readFileSync(join(dir, '.payctl', 'incidents', id, 'timeline.jsonl'), 'utf8');
    expect(timeline).toContain('the rules API rejected ***');
    expect(timeline).not.toContain(token);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { startIncident } from '../../src/engine/run.js';
import { Playbook } from '../../src/playbook/schema.js';
import { fixedClock } from '../../src/clock.js';
import { timelinePath } from '../../src/timeline/store.js';
import { verifyTimeline } from '../../src/timeline/verify.js';
import { parseVars } from '../../src/ui/answers.js';
import { recordingServer, scriptedPrompter, tempProject, testContext } from './helpers.js';

function pb(yaml: string) {
  return Playbook.parse(parseDocument(yaml).toJS());
}

let srv: Awaited<ReturnType<typeof recordingServer>>;
beforeAll(async () => {
  srv = await recordingServer((r) => {
    if (r.url.startsWith('/fail')) return { status: 503, body: { error: 'busy' } };
    if (r.url.startsWith('/slow')) return { delayMs: 3000 };
    if (r.url.startsWith('/moved')) return { status: 302 };
    return { status: r.method === 'POST' ? 201 : 200, body: { data: { items: [{ id: 'abc' }, { id: 'def' }] }, rate: 0.97 } };
  });
});
afterAll(() => srv.close());

async function run(
  yaml: string,
  o: {
    vars?: string[];
    yes?: boolean;
    dryRun?: boolean;
    prompter?: ReturnType<typeof scriptedPrompter>;
    clock?: ReturnType<typeof fixedClock>;
  } = {},
) {
  const dir = tempProject();
  const cap = testContext(dir, { yes: o.yes, dryRun: o.dryRun, clock: o.clock ?? fixedClock('2026-01-01T02:00:00Z') });
  const report = await startIncident({ ctx: cap.ctx, playbook: pb(yaml), answers: parseVars(o.vars ?? []), prompter: o.prompter });
  const file = timelinePath(cap.ctx.config().storeDir, report.incident);
  const events = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(verifyTimeline(file).ok).toBe(true);
  return { report, events, cap, file };
}

describe('shell', () => {
  it('passes template values as literal arguments and records exit code and output', async () => {
    const { report } = await run(`
id: t
title: T
inputs: { evil: { prompt: x, default: "$(touch /tmp/pwned-payctl); echo hi" } }
steps:
  - { id: echo, type: shell, title: Echo, command: [node, -e, "console.log(process.argv[1])", "{{ inputs.evil }}"] }
`);
    const r = report.state.steps.echo!;
    expect(r.status).toBe('ok');
    expect(r.result!.exit_code).toBe(0);
    expect(r.result!.stdout).toBe('$(touch /tmp/pwned-payctl); echo hi');
  });
  it('fails on an unexpected exit code, and on_failure continue goes on', async () => {
    const { report } = await run(`
id: t
title: T
steps:
  - { id: bad, type: shell, title: Bad, command: [node, -e, "process.stderr.write('boom'); process.exit(3)"], on_failure: continue }
  - { id: good, type: shell, title: Good, command: [node, -e, "process.exit(3)"], expect_exit: 3 }
`);
    expect(report.state.steps.bad!.status).toBe('failed');
    expect(report.state.steps.bad!.result!.exit_code).toBe(3);
    expect(report.state.steps.bad!.result!.stderr).toBe('boom');
    expect(report.state.steps.good!.status).toBe('ok');
    expect(report.outcome).toBe('failed');
    expect(report.exitCode).toBe(0);
  });
});

describe('http', () => {
  it('GET with capture, POST with a stable Idempotency-Key, expect_status', async () => {
    const before = srv.requests.length;
    const { report } = await run(`
id: t
title: T
steps:
  - { id: get, type: http, title: Get, url: "${srv.url}/things", capture: { first: "data.items[1].id", rate: rate } }
  - { id: post, type: http, title: Post, method: POST, url: "${srv.url}/things?x={{ steps.get.result.first }}", body: { v: "{{ steps.get.result.rate }}" }, expect_status: 201 }
  - { id: own, type: http, title: Own key, method: PUT, url: "${srv.url}/own", headers: { Idempotency-Key: mine } }
`);
    const reqs = srv.requests.slice(before);
    expect(report.state.steps.get!.result!.first).toBe('def');
    expect(reqs[1]!.url).toBe('/things?x=def');
    expect(JSON.parse(reqs[1]!.body)).toEqual({ v: '0.97' });
    expect(reqs[1]!.headers['idempotency-key']).toBe(`payctl-${report.incident}-post`);
    expect(reqs[0]!.headers['idempotency-key']).toBeUndefined();
    expect(reqs[2]!.headers['idempotency-key']).toBe('mine');
  });
  it('a string body is sent as it is (text/plain), anything else as JSON; a 3xx is the answer, not followed', async () => {
    const before = srv.requests.length;
    const { report } = await run(`
id: t
title: T
steps:
  - { id: text, type: http, title: Text, method: POST, url: "${srv.url}/text", body: "plain words", expect_status: 201 }
  - { id: json, type: http, title: Json, method: POST, url: "${srv.url}/json", body: [1, 2], expect_status: 201 }
  - { id: moved, type: http, title: Moved, url: "${srv.url}/moved", expect_status: 302 }
`);
    const reqs = srv.requests.slice(before);
    expect(reqs.map((r) => r.url)).toEqual(['/text', '/json', '/moved']);
    expect(reqs[0]!.body).toBe('plain words');
    expect(reqs[0]!.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(reqs[1]!.body).toBe('[1,2]');
    expect(reqs[1]!.headers['content-type']).toBe('application/json');
    expect(report.state.steps.moved).toMatchObject({ status: 'ok', result: { status: 302 } });
  });
  it('retries a retryable failure with the same key, then aborts (exit 1)', async () => {
    const before = srv.requests.length;
    const { report, events } = await run(`
id: t
title: T
steps:
  - { id: post, type: http, title: Post, method: POST, url: "${srv.url}/fail", retries: 2, on_failure: abort }
`);
    const reqs = srv.requests.slice(before);
    expect(reqs).toHaveLength(3);
    expect(new Set(reqs.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(report.exitCode).toBe(1);
    expect(events.filter((e) => e.type === 'step_started').map((e) => e.data.attempt)).toEqual([1, 2, 3]);
    expect(events.at(-1).type).toBe('run_stopped');
  });
  it('times out (step timeout) instead of hanging', async () => {
    const { report } = await run(
      `
id: t
title: T
steps:
  - { id: slow, type: http, title: Slow, url: "${srv.url}/slow", timeout: 300ms, on_failure: continue }
`,
      { clock: undefined },
    );
    expect(report.state.steps.slow!.status).toBe('failed');
    expect(report.state.steps.slow!.reason).toBe('timed out after 0.3s'); // the step's own deadline, not "0s"
  });
  it('dry run performs GETs and prints writes without sending them', async () => {
    const before = srv.requests.length;
    const { report, cap } = await run(
      `
id: t
title: T
steps:
  - { id: get, type: http, title: Get, url: "${srv.url}/read" }
  - { id: post, type: http, title: Post, method: POST, url: "${srv.url}/write", body: { a: 1 } }
`,
      { dryRun: true },
    );
    const reqs = srv.requests.slice(before);
    expect(reqs.map((r) => r.url)).toEqual(['/read']);
    expect(cap.stdout()).toContain(`would send POST ${srv.url}/write {"a":1}`);
    expect(report.state.dry_run).toBe(true);
  });
});

describe('wait, set_status, manual, input, choose', () => {
  it('wait until with recheck re-runs the listed step and sees fresh results', async () => {
    let n = 0;
    const s = await recordingServer(() => ({ body: { ok: ++n >= 3 } }));
    try {
      const clock = fixedClock('2026-01-01T02:00:00Z');
      const { report, events } = await run(
        `
id: t
title: T
steps:
  - { id: probe, type: http, title: Probe, url: "${s.url}/p", capture: { ok: ok } }
  - { id: w, type: wait, title: Wait, until: "steps.probe.result.ok == true", interval: 10s, timeout: 5m, recheck: [probe] }
`,
        { clock },
      );
      expect(report.state.steps.w!.status).toBe('ok');
      expect(report.state.steps.w!.result!.checks).toBe(2);
      expect(events.filter((e) => e.type === 'step_started' && e.step === 'probe').map((e) => e.data.attempt)).toEqual([1, 2, 3]);
      expect(s.requests).toHaveLength(3);
      expect(clock.now().toISOString()).toBe('2026-01-01T02:00:10.000Z');
    } finally {
      await s.close();
    }
  });
  it('wait until gives up after the timeout; wait duration sleeps on the clock', async () => {
    const clock = fixedClock('2026-01-01T02:00:00Z');
    const { report } = await run(
      `
id: t
title: T
steps:
  - { id: d, type: wait, title: D, duration: 2m }
  - { id: w, type: wait, title: W, until: "incident.status == 'resolved'", interval: 1m, timeout: 3m, on_failure: continue }
`,
      { clock },
    );
    expect(report.state.steps.d!.result!.waited_ms).toBe(120_000);
    expect(report.state.steps.w!.status).toBe('failed');
    expect(report.state.steps.w!.reason).toMatch(/gave up after 3m/);
  });
  it('set_status records status_changed and the resolved milestone; mitigates marks mitigated', async () => {
    const { report, events } = await run(`
id: t
title: T
steps:
  - { id: fix, type: manual, title: Fix, instructions: "do it", mitigates: true }
  - { id: mon, type: set_status, title: Mon, status: monitoring, message: watching }
  - { id: res, type: set_status, title: Res, status: resolved }
`);
    expect(events.filter((e) => e.type === 'status_changed').map((e) => e.data.to)).toEqual(['monitoring', 'resolved']);
    expect(Object.keys(report.state.milestones).sort()).toEqual(['acknowledged', 'detected', 'mitigated', 'resolved']);
    expect(report.state.status).toBe('resolved');
  });
  it('input and choose take --var by step id unattended, feed when: and templates', async () => {
    const { report } = await run(
      `
id: t
title: T
steps:
  - { id: eta, type: input, title: ETA, prompt: "ETA?" }
  - { id: mode, type: choose, title: Mode, prompt: "Mode?", options: [failover, { value: wait, label: Wait it out }] }
  - { id: only, type: set_status, title: Only, status: identified, when: 'steps.mode.value == "wait"' }
  - { id: echo, type: shell, title: Echo, command: [node, -e, "console.log(process.argv[1])", "{{ steps.eta.value }}"] }
`,
      { vars: ['eta=30m', 'mode=wait'] },
    );
    expect(report.state.steps.mode!.result).toEqual({ value: 'wait', label: 'Wait it out' });
    expect(report.state.steps.only!.status).toBe('ok');
    expect(report.state.steps.echo!.result!.stdout).toBe('30m');
  });
  it('a person: manual checklist, approval denied skips the step, on_failure ask → retry then skip', async () => {
    const prompter = scriptedPrompter([['0', '1'], false, 'retry', 'skip']);
    const { report, events } = await run(
      `
id: t
title: T
steps:
  - { id: check, type: manual, title: Check, checklist: [one, two] }
  - { id: gated, type: set_status, title: Gated, status: identified, confirm: "Really?" }
  - { id: flaky, type: shell, title: Flaky, command: [node, -e, "process.exit(1)"] }
`,
      { prompter },
    );
    expect(prompter.asked).toHaveLength(4);
    expect(report.state.steps.check!.result).toEqual({ checked: ['one', 'two'], unchecked: [] });
    expect(report.state.steps.gated!.status).toBe('skipped');
    expect(events.some((e) => e.type === 'approval_denied')).toBe(true);
    expect(report.state.steps.flaky!.status).toBe('skipped');
    expect(events.filter((e) => e.type === 'decision').map((e) => e.data.choice)).toEqual(['retry', 'skip']);
    expect(report.exitCode).toBe(0);
  });
  it('a person who stops the playbook at a failed step: exit 1, said as their choice (not "no person to ask")', async () => {
    const { report } = await run(
      `
id: t
title: T
steps:
  - { id: flaky, type: shell, title: Flaky, command: [node, -e, "process.exit(1)"] }
`,
      { prompter: scriptedPrompter(['abort']) },
    );
    expect(report.exitCode).toBe(1);
    expect(report.error!.message).toContain('stopped by responder');
    expect(report.error!.hint).not.toContain('no person to ask');
    expect(report.error!.hint).toContain('payctl incident resume');
  });
  it('a manual step with confirm: instructions first, then the confirm question as its one question', async () => {
    let shownBeforeFirstQuestion = '';
    const prompter = scriptedPrompter([true, ['0'], false], {
      beforeConfirm: () => {
        if (!shownBeforeFirstQuestion) shownBeforeFirstQuestion = cap.stdout();
      },
    });
    const dir = tempProject();
    const cap = testContext(dir, { clock: fixedClock('2026-01-01T02:00:00Z') });
    const report = await startIncident({
      ctx: cap.ctx,
      prompter,
      playbook: pb(`
id: t
title: T
steps:
  - { id: off, type: manual, title: Take checkout offline, instructions: "Open the admin console and flip the switch", confirm: "Take checkout OFFLINE now?" }
  - { id: list, type: manual, title: Banner, confirm: "Put the banner up?", checklist: [banner on, check it shows] }
  - { id: nope, type: manual, title: Nope, instructions: "Not now", confirm: "Do the risky thing?" }
`),
    });
    expect(prompter.asked).toEqual([
      'Take checkout OFFLINE now?',
      'Put the banner up? (tick what is done; nothing ticked: not approved)',
      'Do the risky thing?',
    ]);
    expect(shownBeforeFirstQuestion).toContain('Open the admin console and flip the switch');
    expect(report.state.steps.off).toMatchObject({ status: 'ok', result: { done: true } });
    expect(report.state.steps.list).toMatchObject({ status: 'ok', result: { checked: ['banner on'], unchecked: ['check it shows'] } });
    expect(report.state.steps.nope).toMatchObject({ status: 'skipped', reason: 'not approved by responder' });
    const events = readFileSync(timelinePath(cap.ctx.config().storeDir, report.incident), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const gates = events.filter((e) => e.type.startsWith('approval_')).map((e) => `${e.step} ${e.type}`);
    expect(gates).toEqual([
      'off approval_requested',
      'off approval_given',
      'list approval_requested',
      'list approval_given',
      'nope approval_requested',
      'nope approval_denied',
    ]);
  });
  it('a manual step with confirm, unattended: the gate needs --yes, as for any step', async () => {
    const yaml = `
id: t
title: T
steps:
  - { id: off, type: manual, title: Off, instructions: "flip it", confirm: "Take checkout OFFLINE now?" }
`;
    const dir = tempProject();
    const without = testContext(dir, { clock: fixedClock('2026-01-01T02:00:00Z') });
    const stopped = await startIncident({ ctx: without.ctx, playbook: pb(yaml) });
    expect(stopped.exitCode).toBe(3);
    const withYes = await run(yaml, { yes: true });
    expect(withYes.report.state.steps.off).toMatchObject({ status: 'ok', result: { unattended: true } });
    expect(withYes.events.find((e) => e.type === 'approval_given').data.by).toBe('flag');
  });
});

describe('a step that is ok with a warning', () => {
  it('notify with one channel down prints ⚠ with the failed channel, stays ok, and records the warning', async () => {
    const dir = tempProject();
    writeFileSync(
      join(dir, 'payctl.config.yaml'),
      `store: .payctl/incidents
http: { timeout: 2s, retries: 0 }
channels:
  email: { type: webhook, url: "${srv.url}/hook", purpose: email }
  banner: { type: webhook, url: "${srv.url}/fail", purpose: banner }
`,
    );
    mkdirSync(join(dir, 'templates', 'messages'), { recursive: true });
    writeFileSync(
      join(dir, 'templates', 'messages', 'ack.yaml'),
      'description: ack\nemail: { subject: "Payments", body: "Some payments fail" }\nbanner: "Some payments fail"\n',
    );
    const cap = testContext(dir, { clock: fixedClock('2026-01-01T02:00:00Z') });
    const report = await startIncident({
      ctx: cap.ctx,
      playbook: pb(`
id: t
title: T
steps:
  - { id: tell, type: notify, title: Tell customers, channels: [email, banner], template: ack }
  - { id: all, type: notify, title: Tell by email, channels: [email], template: ack }
`),
      answers: parseVars([]),
    });
    expect(report.outcome).toBe('ok');
    expect(report.state.steps.tell!.status).toBe('ok');
    const out = cap.stdout();
    expect(out).toMatch(/^⚠ Tell customers — notified email; failed: banner \(.*HTTP 503.*\)$/m);
    expect(out).not.toContain('✔ Tell customers');
    expect(out).toContain('✔ Tell by email — notified email');
    const events = readFileSync(timelinePath(cap.ctx.config().storeDir, report.incident), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const done = events.filter((e) => e.type === 'step_completed');
    expect(done[0].data).toMatchObject({ outcome: 'ok', warning: expect.stringMatching(/^failed: banner \(/) });
    expect(done[1].data.warning).toBeUndefined();
  });
});

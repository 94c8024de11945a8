/**
 * Every secret a playbook will read is checked before the incident opens
 * (start, drill, resume); one missing at run time fails its step, whose
 * on_failure applies; resume offers skip for a step that never sent anything.
 */
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { InvalidInputError } from '../../src/errors.js';
import { startIncident } from '../../src/engine/run.js';
import { Playbook } from '../../src/playbook/schema.js';
import { readFileSync } from 'node:fs';
import { splitCondition, stepsThatCanRun } from '../../src/engine/reachable.js';
import { payctlInTerminal } from '../helpers/terminal.js';
import { handlersThrowingAt, recordingServer, runCli, scriptedPrompter, tempProject, testContext } from './helpers.js';

/** Two tokens, each needed only when its URL input is given; a fallback after the first. */
const GUARDED = (url: string) => `
id: guarded
title: Guarded
inputs:
  rules_url: { prompt: "Rules URL?", default: "" }
  switch_url: { prompt: "Switch URL?", default: "" }
steps:
  - { id: rules, type: http, title: Tighten rules, method: POST, url: "{{ inputs.rules_url }}", when: 'inputs.rules_url != ""', headers: { Authorization: "env:RULES_TOKEN" }, on_failure: continue }
  - { id: by_hand, type: set_status, title: By hand, status: identified, when: 'inputs.rules_url == "" or steps.rules.outcome == "failed"' }
  - { id: relax, type: http, title: Relax rules, method: POST, url: "${url}/relax", when: 'steps.rules.outcome == "ok"', headers: { Authorization: "env:RULES_TOKEN" } }
  - { id: off, type: http, title: Checkout off, method: POST, url: "{{ inputs.switch_url }}", when: 'inputs.switch_url != ""', headers: { Authorization: "env:SWITCH_TOKEN" } }
  - { id: end, type: set_status, title: End, status: resolved }
`;

const incidents = (dir: string) => JSON.parse(runCli(dir, ['incident', 'list', '--json']).stdout) as unknown[];

describe('secrets are checked before the incident opens', () => {
  it('incident start: exit 2 naming every missing variable (http step headers included), nothing opened or sent', async () => {
    const srv = await recordingServer();
    try {
      const dir = tempProject({ guarded: GUARDED(srv.url) });
      const r = runCli(dir, [
        'incident',
        'start',
        '-p',
        'guarded',
        '--yes',
        '--var',
        `rules_url=${srv.url}/rules`,
        '--var',
        `switch_url=${srv.url}/off`,
      ]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(
        'environment variables not set: RULES_TOKEN (step rules, headers.Authorization), SWITCH_TOKEN (step off, headers.Authorization)',
      );
      expect(r.stderr).toContain('nothing was started');
      expect(incidents(dir)).toEqual([]);
      expect(srv.requests).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  it('a step whose when: cannot hold needs nothing: without the URLs the run goes on without the tokens', async () => {
    const srv = await recordingServer();
    try {
      const dir = tempProject({ guarded: GUARDED(srv.url) });
      const r = runCli(dir, ['incident', 'start', '-p', 'guarded', '--yes', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const steps = JSON.parse(r.stdout).steps;
      expect(steps.rules.outcome).toBe('skipped');
      expect(steps.relax.outcome).toBe('skipped'); // it can only follow rules, which could not run
      expect(steps.by_hand.outcome).toBe('ok');
      expect(srv.requests).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  it('only the token of the step that can run is asked for', async () => {
    const dir = tempProject({ guarded: GUARDED('http://127.0.0.1:9') });
    const r = runCli(dir, ['incident', 'start', '-p', 'guarded', '--yes', '--var', 'switch_url=http://127.0.0.1:9/off']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('environment variable not set: SWITCH_TOKEN (step off, headers.Authorization)');
    expect(r.stderr).not.toContain('RULES_TOKEN');
  });

  it('drill: refused before the incident opens, naming the variable', () => {
    const dir = tempProject({
      drilled: `
id: drilled
title: Drilled
steps:
  - { id: call, type: http, title: Call, method: POST, url: "http://127.0.0.1:9/x", headers: { Authorization: "env:DRILL_TOKEN" } }
drill:
  fault: stripe:down
  expect: { status: investigating }
`,
    });
    const r = runCli(dir, ['drill', 'drilled']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('environment variable not set: DRILL_TOKEN (step call, headers.Authorization)');
    expect(incidents(dir)).toEqual([]);
  });

  it('a person answers the inputs first: a secret that hinges on an answer is checked then, before any step runs', async () => {
    const srv = await recordingServer();
    try {
      const text = GUARDED(srv.url);
      const dir = tempProject({ guarded: text });
      const cap = testContext(dir);
      const prompter = scriptedPrompter([`${srv.url}/rules`, '']);
      const report = await startIncident({ ctx: cap.ctx, playbook: Playbook.parse(parseDocument(text).toJS()), prompter });
      expect(report.exitCode).toBe(2);
      expect(report.error!.message).toBe('environment variable not set: RULES_TOKEN (step rules, headers.Authorization)');
      expect(report.error!.hint).toContain(`payctl incident resume ${report.incident}`);
      expect(Object.keys(report.state.steps)).toEqual([]);
      expect(srv.requests).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});

describe('a secret missing at run time fails its step', () => {
  it('the step fails before it starts (nothing sent) and its on_failure: continue applies', async () => {
    const srv = await recordingServer();
    try {
      // the variable's name is known only once the choose step has answered: the run-time check catches it
      const dir = tempProject({
        late: `
id: late
title: Late
steps:
  - { id: pick, type: choose, title: Pick, prompt: "Which token?", options: [LATE_TOKEN], default: LATE_TOKEN }
  - { id: call, type: http, title: Call, method: POST, url: "${srv.url}/x", headers: { Authorization: "env:{{ steps.pick.value }}" }, on_failure: continue }
  - { id: fallback, type: set_status, title: Fallback, status: identified, when: 'steps.call.outcome == "failed"' }
`,
      });
      const r = runCli(dir, ['incident', 'start', '-p', 'late', '--yes', '--json']);
      expect(r.code, r.stderr).toBe(1); // finished, with a failed step
      const out = JSON.parse(r.stdout);
      expect(out.steps.call.outcome).toBe('failed');
      expect(out.steps.call.reason).toBe('environment variable not set: LATE_TOKEN (step call, headers.Authorization); nothing was sent');
      expect(out.steps.fallback.outcome).toBe('ok');
      expect(srv.requests).toEqual([]);
      const show = runCli(dir, ['incident', 'show', out.incident, '--json']);
      expect(show.code, show.stderr).toBe(0);
      const events = JSON.parse(show.stdout).events as {
        type: string;
        step?: string;
      }[];
      expect(events.filter((e) => e.step === 'call').map((e) => e.type)).toEqual(['step_completed', 'decision']);
    } finally {
      await srv.close();
    }
  });
});

describe('resume of a step that never sent anything', () => {
  it('offers retry or skip (not a false "it did"); skip goes on with the rest', async () => {
    const srv = await recordingServer();
    try {
      const text = `
id: stuck
title: Stuck
steps:
  - { id: tighten, type: http, title: Tighten rules, method: POST, url: "${srv.url}/rules", headers: { Authorization: "env:RULES_TOKEN" }, on_failure: continue }
  - { id: end, type: set_status, title: End, status: resolved }
`;
      const dir = tempProject({ stuck: text });
      // what an older payctl left: the step started, then the run stopped (exit 2) on the missing token
      const refusing = handlersThrowingAt(
        'http',
        new InvalidInputError('environment variable RULES_TOKEN is not set (needed by step tighten, headers.Authorization)'),
      );
      const first = await startIncident({
        ctx: testContext(dir, { env: { PATH: process.env.PATH, RULES_TOKEN: 'set-at-first' } }).ctx,
        playbook: Playbook.parse(parseDocument(text).toJS()),
        registry: refusing,
      });
      expect(first.exitCode).toBe(2);
      expect(first.state.steps.tighten!.status).toBe('started');

      const t = payctlInTerminal(['incident', 'resume', first.incident], { cwd: dir, cols: 160 });
      await t.waitFor('was stopped before it sent anything. What now?');
      await t.waitFor('Skip it and go on');
      expect(t.screen()).not.toContain('It did');
      t.write('\x1b[B'); // arrow down → skip
      t.write('\r');
      expect(await t.exited).toBe(0);
      const state = JSON.parse(runCli(dir, ['incident', 'show', first.incident, '--json']).stdout).incident;
      expect(state.steps.tighten.status).toBe('skipped');
      expect(state.steps.end.status).toBe('ok');
      expect(srv.requests).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});

describe('playbook show lists the secrets', () => {
  it('names each variable, where it is named, the steps that read it, and whether it is set', () => {
    const dir = tempProject({ guarded: GUARDED('http://127.0.0.1:9') });
    const r = runCli(dir, ['playbook', 'show', 'guarded'], { SWITCH_TOKEN: 'x' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/RULES_TOKEN\s+headers\.Authorization \(steps rules, relax\)\s+not set/);
    expect(r.stdout).toMatch(/SWITCH_TOKEN\s+headers\.Authorization \(steps off\)\n/);
    const json = JSON.parse(runCli(dir, ['playbook', 'show', 'guarded', '--json']).stdout);
    expect(json.secrets).toEqual([
      { variable: 'RULES_TOKEN', where: ['headers.Authorization'], steps: ['rules', 'relax'], set: false },
      { variable: 'SWITCH_TOKEN', where: ['headers.Authorization'], steps: ['off'], set: false },
    ]);
  });
});

describe('which steps can run, judged before the run', () => {
  const security = Playbook.parse(
    parseDocument(readFileSync(new URL('../../playbooks/security-incident.yaml', import.meta.url), 'utf8')).toJS(),
  );
  const config = { routing: { primary: 'stripe' }, thresholds: { success_rate: 0.95 } };
  const runnable = async (inputs: Record<string, unknown>, unanswered: string[] = []) =>
    (
      await stepsThatCanRun(security.steps, { scope: { inputs, config, steps: {} }, settled: new Set(), unanswered: new Set(unanswered) })
    ).map((r) => `${r.step.id}${r.hingesOnAnswers ? '?' : ''}`);

  it('security-incident without the URLs: the fraud-rules and checkout calls cannot run, nor those that follow them', async () => {
    const ids = await runnable({ fraud_rules_url: '', checkout_switch_url: '', log_dir: '' });
    for (const id of ['tighten_rules', 'relax_rules', 'checkout_off', 'checkout_on', 'prepare_evidence_dir']) expect(ids).not.toContain(id);
    for (const id of ['tighten_rules_by_hand', 'escalate', 'take_offline', 'checkout_off_by_hand']) expect(ids).toContain(id);
  });

  it('with a fraud-rules URL both its calls can run; inputs still to be asked leave their steps for after the answers', async () => {
    expect(await runnable({ fraud_rules_url: 'https://fraud.example/rules', checkout_switch_url: '', log_dir: '' })).toEqual(
      expect.arrayContaining(['tighten_rules', 'relax_rules']),
    );
    const asked = await runnable({}, ['fraud_rules_url', 'checkout_switch_url', 'log_dir']);
    expect(asked).toEqual(expect.arrayContaining(['tighten_rules?', 'relax_rules?', 'checkout_off?', 'checkout_on?', 'escalate']));
  });

  it('splits a condition at and/or outside quotes', () => {
    expect(splitCondition('inputs.a == "x and y" or steps.b.outcome == \'ok\' and inputs.c')).toEqual([
      'inputs.a == "x and y"',
      'or',
      "steps.b.outcome == 'ok'",
      'and',
      'inputs.c',
    ]);
  });
});

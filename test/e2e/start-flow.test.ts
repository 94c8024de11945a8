/**
 * The start flow against the sandbox, unattended: check reads decline codes and
 * a decline spike opens elevated-declines; a run without a terminal says so on
 * stderr at once; incident set changes an input, checked and recorded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

let p: SandboxProject | undefined;
afterEach(async () => {
  await p?.close();
  p = undefined;
});
const run = (args: string[]) => runCliAsync(args, { cwd: p!.dir, env: p!.env });

describe('decline codes in check', () => {
  it('shows the top codes as shares of attempts, in the table and in --json', async () => {
    p = await sandboxProject({ fault: 'stripe:declines' });
    const json = await run(['check', '--json']);
    const snap = JSON.parse(json.stdout);
    expect(snap.declines.top[0].code).toBe('do_not_honor');
    expect(snap.declines.top[0].share).toBeGreaterThan(0.1);
    expect(snap.declines.rate).toBeCloseTo(1 - snap.success_rate.value, 3);
    const text = await run(['check']);
    expect(text.stdout).toMatch(/declines: \d+\.\d% of attempts \(do_not_honor \d+\.\d%, /);
  });

  it('a decline spike makes check --start-incident open elevated-declines (not third-party-dependency)', async () => {
    p = await sandboxProject({ fault: 'stripe:declines' });
    const r = await run(['check', '--start-incident']);
    expect(r.stderr).toMatch(/starting playbook elevated-declines: do_not_honor \d+\.\d% of attempts/);
    const list = JSON.parse((await run(['incident', 'list', '--json'])).stdout);
    expect(list.map((i: { playbook: string }) => i.playbook)).toEqual(['elevated-declines']);
  });
});

describe('unattended runs say so', () => {
  it('incident start with stdout not a terminal says on stderr, first, that it runs unattended and why', async () => {
    p = await sandboxProject({ fault: 'stripe:down' });
    const r = await run(['incident', 'start', '--playbook', 'processor-outage']);
    expect(r.stderr.split('\n')[0]).toBe(
      'running unattended (stdout is not a terminal): nothing is asked; inputs come from --var, --answers or their defaults, and the first approval gate stops the run (exit 3; resume with --yes)',
    );
    expect(r.code).toBe(3);
    // the step lines are on stdout, where the README says human output goes
    expect(r.stdout).toContain('Read the processor');
    const ci = await runCliAsync(['incident', 'start', '--playbook', 'processor-outage', '--dry-run', '--yes'], {
      cwd: p.dir,
      env: { ...p.env, CI: '1' },
    });
    expect(ci.stderr.split('\n')[0]).toMatch(
      /^running unattended \(--yes\): .* approval gates pass \(--yes\), except one that needs a second person \(exit 3\)$/,
    );
  });
});

describe('incident set', () => {
  it('changes an input, checked against its type, recorded in the timeline', async () => {
    p = await sandboxProject({ fault: 'stripe:down' });
    await run(['incident', 'start', '--playbook', 'processor-outage']);
    const id = JSON.parse((await run(['incident', 'list', '--json'])).stdout)[0].id;
    const bad = await run(['incident', 'set', id, 'recovery_timeout=soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('input recovery_timeout: "soon" is not a duration');
    const unknown = await run(['incident', 'set', id, 'recovery=1h']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no input named recovery');
    const ok = await run(['incident', 'set', id, 'recovery_timeout=30m', 'eta=by 04:00 UTC']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`${id}: recovery_timeout "2h" → "30m"`);
    const shown = JSON.parse((await run(['incident', 'show', id, '--json'])).stdout);
    expect(shown.incident.answers).toMatchObject({ recovery_timeout: '30m', eta: 'by 04:00 UTC' });
    expect(
      shown.events.filter((e: { type: string; data: { from?: string } }) => e.type === 'input_answered' && e.data.from === 'set'),
    ).toHaveLength(2);
  });
});

describe('a failure names where a URL came from', () => {
  it('an http step whose URL is an answer says so (and how to fix it), not "check the URL in the config"', async () => {
    const { tempProject } = await import('../engine/helpers.js');
    const dir = tempProject({
      rules: `
id: rules
title: Rules
inputs:
  rules_url: { prompt: "Fraud rules URL?" }
steps:
  - { id: strict, type: http, title: Strict rules, method: POST, url: "{{ inputs.rules_url }}" }
`,
    });
    const r = await runCliAsync(['incident', 'start', '-p', 'rules', '--var', 'rules_url=htp//fraud rules', '--yes'], { cwd: dir });
    expect(r.stderr + r.stdout).toContain('the URL comes from input rules_url ("htp//fraud rules"): fix it with payctl incident set');
    expect(r.stderr + r.stdout).not.toContain('check the URL in the config');
  });
});

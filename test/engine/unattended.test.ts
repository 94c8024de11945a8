/** The built payctl without a person (CI=1): every unattended path and its exit code. */
import { describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempProject } from './helpers.js';

const PLAYBOOK = `
id: unat
title: Unattended
inputs:
  provider: { prompt: Which provider?, choices: [stripe, adyen] }
  eta: { prompt: ETA, default: in 30 minutes }
steps:
  - { id: look, type: shell, title: Look, command: [node, -e, "console.log(process.argv[1])", "{{ inputs.provider }}"] }
  - { id: gate, type: set_status, title: Gate, status: identified, confirm: "Switch {{ inputs.provider }}?" }
  - { id: fail, type: shell, title: Fail, command: [node, -e, "process.exit(2)"], when: 'inputs.eta == "fail"' }
  - { id: end, type: set_status, title: End, status: resolved }
`;

describe('unattended incident start', () => {
  const dir = tempProject({ unat: PLAYBOOK });

  it('missing required input: exit 2 naming the input and --var, no incident opened', () => {
    const r = runCli(dir, ['incident', 'start', '-p', 'unat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing required input "provider"');
    expect(r.stderr).toContain('--var provider=<stripe|adyen>');
    expect(runCli(dir, ['incident', 'list', '--json']).stdout.trim()).toBe('[]');
  });
  it('a value outside the choices: exit 2', () => {
    const r = runCli(dir, ['incident', 'start', '-p', 'unat', '--var', 'provider=paypal']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not one of stripe, adyen');
  });
  it('confirm gate without --yes: exit 3 naming the step and --yes; resume --yes finishes it', () => {
    const r = runCli(dir, ['incident', 'start', '-p', 'unat', '--var', 'provider=adyen', '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('step "gate" needs approval');
    expect(r.stderr).toContain('--yes');
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ outcome: 'stopped', exit_code: 3, status: 'investigating' });
    expect(j.steps.look.result.stdout).toBe('adyen');
    const again = runCli(dir, ['incident', 'resume', j.incident, '--yes', '--json']);
    expect(again.code).toBe(0);
    const k = JSON.parse(again.stdout);
    expect(k).toMatchObject({ incident: j.incident, outcome: 'ok', status: 'resolved', exit_code: 0 });
    expect(k.steps.look.attempts).toBe(1); // not repeated
  });
  it('--yes --json runs to the end (exit 0) with progress on stderr only', () => {
    const r = runCli(dir, ['incident', 'start', '-p', 'unat', '--var', 'provider=stripe', '--yes', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.outcome).toBe('ok');
    expect(j.steps.fail.outcome).toBe('skipped');
    expect(r.stderr).toContain('✔ Look');
  });
  it('on_failure ask without a person acts as abort: exit 1', () => {
    const r = runCli(dir, ['incident', 'start', '-p', 'unat', '--var', 'provider=stripe', '--var', 'eta=fail', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('step "fail" failed');
  });
  it('bad input: --var without =, answers not a mapping (file:line), bad severity, unknown id, no playbook', () => {
    expect(runCli(dir, ['incident', 'start', '-p', 'unat', '--var', 'provider']).code).toBe(2);
    writeFileSync(join(dir, 'answers.yaml'), '# answers\n- stripe\n- adyen\n');
    const a = runCli(dir, ['incident', 'start', '-p', 'unat', '--answers', 'answers.yaml']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/answers\.yaml:2:1: the answers file must be a mapping/);
    expect(runCli(dir, ['incident', 'start', '-p', 'unat', '--severity', 'sev9']).code).toBe(2);
    const u = runCli(dir, ['incident', 'show', 'no-such-id']);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('no incident "no-such-id"');
    expect(u.stderr).not.toMatch(/at .*\.js:\d+/);
    // resume of an unknown or path-like id creates nothing on disk
    const before = readdirSync(dir, { recursive: true }).length;
    const ru = runCli(dir, ['incident', 'resume', 'no-such-id']);
    expect(ru.code).toBe(2);
    expect(ru.stderr).toContain('no incident "no-such-id"');
    const rt = runCli(dir, ['incident', 'resume', '../../escape']);
    expect(rt.code).toBe(2);
    expect(rt.stderr).toContain('is not an incident id');
    expect(readdirSync(dir, { recursive: true }).length).toBe(before);
    const n = runCli(dir, ['incident', 'start']);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('--playbook');
  });
  it('answers file supplies inputs; --dry-run is stored and marked', () => {
    writeFileSync(join(dir, 'answers2.yaml'), 'provider: adyen\neta: 10m\n');
    const r = runCli(dir, ['incident', 'start', '-p', 'unat', '--answers', 'answers2.yaml', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.dry_run).toBe(true);
    expect(j.steps.look.result.dry_run).toBe(true);
    expect(r.stderr).toContain('[dry run] look (shell)');
    expect(runCli(dir, ['incident', 'list']).stdout).toContain('[dry run]');
    expect(runCli(dir, ['incident', 'show', j.incident]).stdout).toContain('[DRY RUN]');
  });
});

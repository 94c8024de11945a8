/**
 * `payctl incident start` with no flags, at a pseudo-terminal, against the
 * sandbox: the responder presses only Enter and y, and traffic is verified on
 * the backup after at most 4 answers (issue 11). The picker puts the playbook
 * that fits first, with why.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openTerminal, payctlInTerminal } from '../helpers/terminal.js';
import { BIN, runCli } from './helpers.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

let p: SandboxProject | undefined;
afterEach(async () => {
  await p?.close();
  p = undefined;
});

/** payctl at a 160×50 terminal; waitFor gives up after 20 s. */
function drive(dir: string, args: string[], env: Record<string, string>) {
  const t = payctlInTerminal(args, { cwd: dir, cols: 160, rows: 50, env: { NO_COLOR: '1', ...env } });
  return { ...t, waitFor: (text: string | RegExp, ms = 20_000) => t.waitFor(text, ms) };
}

describe('incident start with no flags, stripe down', () => {
  it('moves card traffic to adyen, verified, after at most 4 answers of Enter and y', async () => {
    p = await sandboxProject({ fault: 'stripe:down' });
    const r = drive(p.dir, ['incident', 'start'], p.env);
    let answers = 0;
    const answer = (keys: string) => {
      answers++;
      r.write(keys);
    };
    await r.waitFor('processor-outage fits what payctl sees now: stripe: major_outage');
    await r.waitFor('Which playbook?');
    const firstEntry = await r.waitFor('\n', 5000).then(() => r.screen().slice(r.screen().lastIndexOf('Which playbook?')));
    expect(firstEntry).toMatch(/❯ Payment processor outage \(processor-outage, sev1\): stripe: major_outage/);
    answer('\r'); // the first entry
    await r.waitFor(/provider stripe \(major_outage\), backup adyen \(operational, first backup in routing order\): go with these\?/);
    answer('y\r');
    await r.waitFor(/not asked now: eta "within the next hour", recovery_timeout 2h, check_interval 1m/);
    await r.waitFor('Move card traffic from stripe to adyen?');
    answer('y\r');
    await r.waitFor(/Wait until payments succeed on the backup/);
    await r.waitFor(/✔|ok/, 60_000);
    await r.waitFor(/Escalate to the processor|Mark the incident monitoring/, 60_000);
    r.write('\x03'); // the rest waits for stripe to recover: stop here (saved, resumable)
    expect(await r.exited).toBe(3);
    expect(answers).toBeLessThanOrEqual(4);
    const id = /payctl incident resume (\S+)/.exec(r.screen())![1]!;
    const shown = JSON.parse(runCli(p.dir, ['incident', 'show', id, '--json'], p.env).stdout).incident;
    expect(shown.playbook).toBe('processor-outage');
    expect(shown.steps.failover.status).toBe('ok');
    expect(shown.steps.failover.result.to).toBe('adyen');
    expect(shown.steps.backup_healthy.status).toBe('ok');
    expect(shown.answers).toMatchObject({ provider: 'stripe', backup: 'adyen', recovery_timeout: '2h' });
    expect(p.sandbox.state().routing).toBeDefined();
  }, 120_000);

  it('the picker puts elevated-declines first for a decline spike, with the top code', async () => {
    p = await sandboxProject({ fault: 'stripe:declines' });
    const r = drive(p.dir, ['incident', 'start'], p.env);
    await r.waitFor('Which playbook?');
    await r.waitFor('\n', 5000);
    const picker = r.screen().slice(r.screen().lastIndexOf('Which playbook?'));
    expect(picker).toMatch(/❯ Elevated card declines \(elevated-declines, sev2\): do_not_honor \d+\.\d% of attempts/);
    r.write('\x03');
    expect(await r.exited).toBe(3);
  }, 60_000);
});

describe('a rejected answer never gets a tick', () => {
  const PLAYBOOK = `
id: typed
title: Typed inputs
inputs:
  wait_for: { prompt: "How long to wait?", type: duration }
  rules_url: { prompt: "Fraud rules URL?", type: url }
steps:
  - { id: end, type: set_status, title: End, status: resolved }
`;
  it('"soon" for a duration and "htp//fraud rules" for a URL are refused at the prompt, with the reason, and asked again', async () => {
    const { tempProject } = await import('./helpers.js');
    const dir = tempProject({ typed: PLAYBOOK });
    const r = drive(dir, ['incident', 'start', '-p', 'typed'], {});
    await r.waitFor('How long to wait?');
    r.write('soon\r');
    const refused = await r.waitFor('is not a duration');
    expect(refused).not.toContain('✔');
    r.write('\x15'); // Ctrl-U: clear the line
    r.write('30m\r');
    await r.waitFor('✔ How long to wait? 30m');
    await r.waitFor('Fraud rules URL?');
    r.write('htp//fraud rules\r');
    const refusedUrl = await r.waitFor('"htp//fraud rules" is not a URL');
    expect(refusedUrl).not.toContain('✔');
    for (let i = 0; i < 20; i++) r.write('\x7f'); // backspace the answer away
    r.write('https://rules.example.com/strict\r');
    await r.waitFor('✔ Fraud rules URL? https://rules.example.com/strict');
    expect(await r.exited).toBe(0);
  }, 60_000);
});

describe('piped output', () => {
  it('payctl incident start … | cat, at a terminal: stderr says at once that it runs unattended because stdout is not a terminal', async () => {
    p = await sandboxProject({ fault: 'stripe:down' });
    const sh = openTerminal('/bin/sh', ['-c', `"${process.execPath}" "${BIN}" incident start --playbook processor-outage | cat`], {
      cwd: p.dir,
      cols: 160,
      rows: 50,
      env: { NO_COLOR: '1', ...p.env },
    });
    const code = await sh.exited;
    const all = sh.screen();
    expect(all.trimStart()).toMatch(/^running unattended \(stdout is not a terminal\)/);
    // the step lines came through the pipe; the spinner stayed on the terminal (stderr); the gate stopped the run
    expect(all).toContain('✔ Mark the cause identified');
    expect(all).toContain('step "failover" needs approval ("Move card traffic from stripe to adyen?") and there is no person to ask');
    expect(code).toBe(0); // the exit code of cat; payctl stopped at the gate (exit 3) as the README says
  }, 60_000);
});

describe('check --start-incident at a terminal', () => {
  it('asks before opening, the best match first with why; "no" opens nothing', async () => {
    p = await sandboxProject({ fault: 'stripe:declines' });
    const r = drive(p.dir, ['check', '--start-incident'], p.env);
    await r.waitFor('Open an incident?');
    await r.waitFor('\n', 5000);
    const menu = r.screen().slice(r.screen().lastIndexOf('Open an incident?'));
    expect(menu).toMatch(/❯ elevated-declines: do_not_honor \d+\.\d% of attempts/);
    expect(menu).toContain('no, do not open an incident');
    for (let i = 0; i < 10; i++) r.write('\x1b[B'); // arrow down to the last entry (the list does not loop)
    await r.waitFor(/❯ no, do not open an incident/);
    r.write('\r');
    expect(await r.exited).toBe(4);
    expect(r.screen()).toContain('no incident was started (you said no)');
    expect(JSON.parse(runCli(p.dir, ['incident', 'list', '--json'], p.env).stdout)).toEqual([]);
  }, 60_000);
});

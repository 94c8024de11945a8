// The README's main job: `payctl demo` unattended, end to end, ending with a postmortem file.
import { expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsync } from '../helpers/run-cli.js';
import { tempProject } from '../helpers/sandbox-project.js';

it('handles the whole outage unattended and writes the postmortem draft', async () => {
  const dir = tempProject();
  const r = await runCliAsync(['demo'], { cwd: dir, env: { CI: 'true' }, timeout: 90_000 });
  expect(r.stderr).not.toMatch(/unexpected error/);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Outage handled in .* incident \S+ is resolved/);
  expect(r.stdout).toMatch(/customers and team: .*statuspage/);
  expect(r.stdout).toMatch(/escalation: +stripe trigger/);
  const path = /postmortem draft: +(\S+)/.exec(r.stdout)?.[1];
  expect(path).toBeDefined();
  const file = join(dir, path!);
  expect(existsSync(file)).toBe(true);
  const md = readFileSync(file, 'utf8');
  expect(md).toMatch(/^# /m);
  expect(md).toContain('adyen');
  expect(md).toContain('```mermaid');
  // the sandbox's fake secrets never reach the draft or the output
  for (const secret of [
    'sandbox-fake-slack-token',
    'sandbox-fake-statuspage-key',
    'sandbox-fake-hyperswitch-key',
    'sandboxfakepagerdutykey',
  ]) {
    expect(md).not.toContain(secret);
    expect(r.stdout + r.stderr).not.toContain(secret);
  }

  const json = await runCliAsync(['demo', '--json'], { cwd: dir, env: { CI: 'true' }, timeout: 90_000 });
  expect(json.code).toBe(0);
  const summary = JSON.parse(json.stdout);
  expect(summary).toMatchObject({ status: 'resolved', failed_back: true });
  expect(summary.channels_notified).toEqual(expect.arrayContaining(['slack', 'statuspage', 'banner', 'email', 'social']));
  expect(summary.time_to_mitigate_ms).toBeGreaterThanOrEqual(0);
  expect(existsSync(summary.postmortem)).toBe(true);
}, 120_000);

it('stopped with Ctrl-C at a terminal, the demo closes its incident and says to run it again, not to resume it', async () => {
  const { payctlInTerminal } = await import('../helpers/terminal.js');
  const dir = tempProject();
  const t = payctlInTerminal(['demo'], { cwd: dir, cols: 140 });
  await t.waitFor('?', 20_000);
  t.write('\x03');
  expect(await t.exited).toBe(3);
  const screen = t.screen();
  expect(screen).toContain('run it again: payctl demo');
  expect(screen).not.toContain('incident resume');
  const id = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(screen)?.[1];
  expect(id).toBeDefined();
  const shown = JSON.parse((await runCliAsync(['incident', 'show', id!, '--json'], { cwd: dir })).stdout);
  expect(shown.incident.status).toBe('resolved');
  expect(shown.incident.source).toBe('demo');
}, 60_000);

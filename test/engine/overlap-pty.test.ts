/** A person starting a second incident for the same playbook is asked first (issue 11 item 9): no opens nothing, yes goes on. */
import { expect, it } from 'vitest';
import pty from 'node-pty';
import { BIN, runCli, tempProject } from './helpers.js';

const PLAYBOOK = `
id: gated
title: Gated
steps:
  - { id: flip, type: set_status, title: Flip, status: identified, confirm: "Mark identified?" }
`;

function drive(dir: string, args: string[]) {
  const p = pty.spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    cols: 120,
    rows: 40,
    env: { PATH: process.env.PATH!, PAYCTL_ACTOR: 'pty', TERM: 'xterm' },
  });
  let screen = '';
  p.onData((d) => (screen += d));
  const exited = new Promise<number>((r) => p.onExit(({ exitCode }) => r(exitCode)));
  const waitFor = async (text: string) => {
    const t0 = Date.now();
    while (!screen.includes(text)) {
      if (Date.now() - t0 > 10_000) throw new Error(`timed out waiting for ${text}; screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { p, waitFor, exited, screen: () => screen };
}

it('warns about the open incident and asks; no is exit 3 with nothing opened, yes opens the second', async () => {
  const dir = tempProject({ gated: PLAYBOOK });
  // unattended without --yes the gate stops the first run: the incident stays open
  expect(runCli(dir, ['incident', 'start', '-p', 'gated']).code).toBe(3);
  const [first] = JSON.parse(runCli(dir, ['incident', 'list', '--json']).stdout);

  const no = drive(dir, ['incident', 'start', '-p', 'gated']);
  await no.waitFor('Open another incident anyway?');
  expect(no.screen()).toContain(`incident ${first.id} is open: Gated (playbook gated, investigating)`);
  no.p.write('\r'); // No is the default
  expect(await no.exited).toBe(3);
  expect(no.screen()).toContain(`carry on in it: payctl incident show ${first.id}`);
  expect(JSON.parse(runCli(dir, ['incident', 'list', '--json']).stdout)).toHaveLength(1);

  const yes = drive(dir, ['incident', 'start', '-p', 'gated']);
  await yes.waitFor('Open another incident anyway?');
  yes.p.write('y\r');
  await yes.waitFor('Mark identified?');
  yes.p.write('y\r');
  expect(await yes.exited).toBe(0);
  expect(JSON.parse(runCli(dir, ['incident', 'list', '--json']).stdout)).toHaveLength(2);
}, 40_000);

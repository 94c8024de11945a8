/** A person starting a second incident for the same playbook is asked first (issue 11 item 9): no opens nothing, yes goes on. */
import { expect, it } from 'vitest';
import { payctlInTerminal } from '../helpers/terminal.js';
import { runCli, tempProject } from './helpers.js';

const PLAYBOOK = `
id: gated
title: Gated
steps:
  - { id: flip, type: set_status, title: Flip, status: identified, confirm: "Mark identified?" }
`;

const drive = (dir: string, args: string[]) => payctlInTerminal(args, { cwd: dir });

it('warns about the open incident and asks; no is exit 3 with nothing opened, yes opens the second', async () => {
  const dir = tempProject({ gated: PLAYBOOK });
  // unattended without --yes the gate stops the first run: the incident stays open
  expect(runCli(dir, ['incident', 'start', '-p', 'gated']).code).toBe(3);
  const [first] = JSON.parse(runCli(dir, ['incident', 'list', '--json']).stdout);

  const no = drive(dir, ['incident', 'start', '-p', 'gated']);
  await no.waitFor('Open another incident anyway?');
  expect(no.screen()).toContain(`incident ${first.id} is open: Gated (playbook gated, investigating)`);
  no.write('\r'); // No is the default
  expect(await no.exited).toBe(3);
  expect(no.screen()).toContain(`carry on in it: payctl incident show ${first.id}`);
  expect(JSON.parse(runCli(dir, ['incident', 'list', '--json']).stdout)).toHaveLength(1);

  const yes = drive(dir, ['incident', 'start', '-p', 'gated']);
  await yes.waitFor('Open another incident anyway?');
  yes.write('y\r');
  await yes.waitFor('Mark identified?');
  yes.write('y\r');
  expect(await yes.exited).toBe(0);
  expect(JSON.parse(runCli(dir, ['incident', 'list', '--json']).stdout)).toHaveLength(2);
}, 40_000);

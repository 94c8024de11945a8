// The one table printer (src/ui/table.ts): widths from what the terminal shows.
import { Chalk } from 'chalk';
import { expect, it } from 'vitest';
import { formatTable } from '../../src/ui/table.js';

it('pads each column to its widest cell plus two spaces; the last column is not padded', async () => {
  expect(
    await formatTable([
      ['ID', 'PLAYBOOK', 'TITLE'],
      ['1', 'third-party-dependency', 'x'],
      ['22', 'p', 'long title'],
    ]),
  ).toEqual(['ID  PLAYBOOK                TITLE', '1   third-party-dependency  x', '22  p                       long title']);
});

it('colour codes take no width, wide characters two; no trailing blanks', async () => {
  const c = new Chalk({ level: 1 });
  const lines = await formatTable([
    [c.bold('A'), 'B', ''],
    [c.red('red'), '漢字', ''],
  ]);
  expect(lines[0]).toBe(`${c.bold('A')}    B`);
  expect(lines[1]).toBe(`${c.red('red')}  漢字`);
});

it('right-aligns the columns asked for', async () => {
  expect(
    await formatTable(
      [
        ['N', 'NAME'],
        ['7', 'a'],
        ['123', 'b'],
      ],
      { alignRight: [0] },
    ),
  ).toEqual(['  N  NAME', '  7  a', '123  b']);
});

it('a coloured table of plain ASCII lays out as string-width would (colour codes take no width)', async () => {
  const c = new Chalk({ level: 3 });
  const lines = await formatTable([
    [c.bold('ID'), c.bold('STATUS'), 'TITLE'],
    [c.red('1'), c.yellow('interrupted: resume'), 'Stripe down'],
  ]);
  expect(lines).toEqual([
    `${c.bold('ID')}  ${c.bold('STATUS')}               TITLE`,
    `${c.red('1')}   ${c.yellow('interrupted: resume')}  Stripe down`,
  ]);
});

// What a person may type for an incident id (src/timeline/incident-id.ts).
import { expect, it } from 'vitest';
import { idSecond, matchIncidentId, newestFirst, newestSecond } from '../../src/timeline/incident-id.js';

const ids = ['20261206-005835-209b', '20261206-010000-77aa', '20261207-090000-77ab'];
const match = (w: string, list = ids) => matchIncidentId(w, list, '/store');

it('takes the whole id, latest, a unique prefix or suffix', () => {
  expect(match('20261206-010000-77aa')).toBe('20261206-010000-77aa');
  expect(match('latest')).toBe('20261207-090000-77ab');
  expect(match('209b')).toBe('20261206-005835-209b');
  expect(match('77ab')).toBe('20261207-090000-77ab');
  expect(match('20261207')).toBe('20261207-090000-77ab');
  expect(match(' 209b ')).toBe('20261206-005835-209b');
});

it('an ambiguous prefix or suffix is exit 2 naming the matches, newest first', () => {
  expect(() => match('20261206')).toThrow('"20261206" matches 2 incidents: 20261206-010000-77aa, 20261206-005835-209b');
  expect(() => match('20261206')).toThrow(expect.objectContaining({ exitCode: 2 }));
  // a suffix of one and a prefix of another both count
  expect(() => match('2', ['20261206-005835-aaa1', '30261206-005835-0002'])).toThrow('matches 2 incidents');
});

it('an unknown id names the recent ones; no incidents at all says how to start one; junk is refused', () => {
  expect(() => match('zzzz')).toThrow(
    expect.objectContaining({ message: 'no incident "zzzz" in /store', hint: expect.stringContaining('20261207-090000-77ab') }),
  );
  expect(() => match('latest', [])).toThrow('there are no incidents in /store yet');
  expect(() => match('../etc')).toThrow('"../etc" is not an incident id');
});

it('newest first: by the second an id names, then by opened_at within it, then by id', () => {
  expect(idSecond('20261206-005835-209b')).toBe('20261206-005835');
  expect(idSecond('imported-incident')).toBe('imported-incident');
  const opened: Record<string, string | undefined> = {
    '20261206-090000-ffff': '2026-12-06T09:00:00.100Z',
    '20261206-090000-0000': '2026-12-06T09:00:00.900Z',
    '20261206-090000-8888': undefined, // unknown (a broken incident): oldest of its second
    '20261206-085959-ffff': '2026-12-06T08:59:59.999Z',
    '20261206-090001-0001': '2026-12-06T09:00:01.000Z',
  };
  expect(
    newestFirst(
      Object.keys(opened),
      (id) => id,
      (id) => opened[id],
    ),
  ).toEqual(['20261206-090001-0001', '20261206-090000-0000', '20261206-090000-ffff', '20261206-090000-8888', '20261206-085959-ffff']);
  expect(newestSecond(['20261206-085959-ffff', '20261206-090000-0000', '20261206-090000-ffff'])).toEqual([
    '20261206-090000-0000',
    '20261206-090000-ffff',
  ]);
  expect(newestSecond(['20261206-090000-0000'])).toEqual(['20261206-090000-0000']);
  expect(newestSecond([])).toEqual([]);
});

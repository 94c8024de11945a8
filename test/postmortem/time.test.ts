import { expect, it } from 'vitest';
import { clockTime, sinceStart } from '../../src/postmortem/time.js';

it('the offset beside a clock time agrees with the clock times shown (whole seconds, not rounded)', () => {
  const start = '2026-11-26T16:01:04.900Z';
  const at = '2026-11-26T16:01:21.600Z'; // 16.7 s later, shown as 16:01:04 → 16:01:21
  expect([clockTime(start), clockTime(at)]).toEqual(['16:01:04', '16:01:21']);
  expect(sinceStart(start, at)).toBe('T+17s');
  expect(sinceStart(at, start)).toBe('T-17s');
  expect(sinceStart(start, 'not a time')).toBe('?');
});

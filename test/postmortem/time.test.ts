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

it('the success-rate chart numbers readings taken in the same second instead of repeating a label', async () => {
  const { successRateChart } = await import('../../src/postmortem/charts.js');
  const chart = successRateChart([
    { at: '2026-11-26T16:00:06.100Z', value: 0.05 },
    { at: '2026-11-26T16:00:06.800Z', value: 0.06 },
    { at: '2026-11-26T16:00:09.000Z', value: 0.98 },
  ])!;
  expect(chart).toContain('x-axis ["16:00:06", "16:00:06 #2", "16:00:09"]');
  expect(chart).toContain('line [5.0, 6.0, 98.0]');
});

it('a duration that rounds to nothing is "0s", never "-0s" (the scorecard mean of a same-second admission)', async () => {
  const { formatDuration } = await import('../../src/duration.js');
  expect(formatDuration(-400)).toBe('0s');
  expect(formatDuration(-1600)).toBe('-2s');
  expect(formatDuration(90_000)).toBe('1m 30s');
});

import { describe, expect, it } from 'vitest';
import { shiftTrafficTimeoutMs } from '../../src/steps/shift-traffic-budget.js';

const BASE = 5 * 60_000;

describe("a shift_traffic step's default timeout", () => {
  it("covers every stage's hold extended to three holds, on top of the base", () => {
    // the README's failback: 4 stages × 2m, each up to 6m, plus a last reading (15 s) per stage
    const ms = shiftTrafficTimeoutMs({ stages: [10, 25, 50, 100], hold: '2m' }, BASE);
    expect(ms).toBe(BASE + 4 * (3 * 120_000 + 15_000));
    expect(ms).toBeGreaterThan(4 * 3 * 120_000);
  });

  it('reads stages written as text and a missing hold as the 2m default', () => {
    expect(shiftTrafficTimeoutMs({ stages: '10,100' }, 1000)).toBe(1000 + 2 * (3 * 120_000 + 15_000));
    expect(shiftTrafficTimeoutMs({ stages: [50, 100], hold: '2s' }, 1000)).toBe(1000 + 2 * (6000 + 1000));
  });

  it('leaves values the handler will refuse to the base', () => {
    expect(shiftTrafficTimeoutMs({ stages: [10], hold: 'soon' }, 1000)).toBe(1000);
    expect(shiftTrafficTimeoutMs({ hold: '2s' }, 1000)).toBe(1000);
  });
});

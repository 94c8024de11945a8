import { describe, expect, it } from 'vitest';
import { describe as showLine } from '../../src/commands/incident-show.js';
import { describeEvent } from '../../src/postmortem/describe.js';
import type { TimelineEvent } from '../../src/timeline/events.js';

const stage = (data: Record<string, unknown>): TimelineEvent =>
  ({
    seq: 9,
    time: '2026-12-06T05:00:00.000Z',
    actor: 'alice',
    type: 'traffic_stage',
    step: 'failback',
    data: { key: 'k', stage: 0, share: 10, to: 'stripe', ...data },
    prev: 'x',
  }) as TimelineEvent;

describe('a canary stage in words (incident show and the postmortem timeline)', () => {
  it('a switched stage names the split it made', () => {
    const e = stage({
      result: 'switched',
      split: [
        { provider: 'adyen', percent: 90 },
        { provider: 'stripe', percent: 10 },
      ],
    });
    expect(showLine(e)).toBe('failback: canary stage 1 (10% to stripe) switched: adyen 90% · stripe 10%');
    expect(describeEvent(e)).toBe('Step failback: Canary stage 1 (10% to stripe) switched: adyen 90% · stripe 10%');
  });

  it('payments counted by a PromQL increase() are shown whole', () => {
    expect(showLine(stage({ result: 'held', success_rate: 0.99, attempts: 104.96 }))).toBe(
      'failback: canary stage 1 (10% to stripe) held: 99.0% over 105 payments',
    );
  });

  it('a held stage gives its evidence; a halted one its reason and the split it went back to', () => {
    expect(showLine(stage({ stage: 1, share: 25, result: 'held', success_rate: 0.9812, attempts: 160 }))).toBe(
      'failback: canary stage 2 (25% to stripe) held: 98.1% over 160 payments',
    );
    const halted = stage({
      result: 'halted',
      success_rate: 0.8,
      attempts: 7,
      reason: 'below 95%',
      rolled_back_to: [{ provider: 'adyen', percent: 100 }],
    });
    expect(showLine(halted)).toBe(
      'failback: canary stage 1 (10% to stripe) halted: 80.0% over 7 payments (below 95%); rolled back to adyen',
    );
    expect(describeEvent(halted)).not.toMatch(/Unknown event type/);
    expect(showLine(stage({ result: 'halted', success_rate: null, attempts: null, reason: 'metrics unreadable' }))).toBe(
      'failback: canary stage 1 (10% to stripe) halted: success rate unreadable (metrics unreadable)',
    );
  });
});

/** The canary expectations of a drill, judged on a replayed-state shape and the sandbox's lowest customer rate. */
import { describe, expect, it } from 'vitest';
import { checkExpectations, type SandboxObservations } from '../../src/drill/expectations.js';
import type { IncidentState, StepState } from '../../src/timeline/replay.js';

const T0 = Date.parse('2026-03-01T02:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const ADYEN = [{ provider: 'adyen', percent: 100 }];
const SPLIT = [
  { provider: 'adyen', percent: 90 },
  { provider: 'stripe', percent: 10 },
];

function stateWithCanary(status: 'ok' | 'failed', stages: NonNullable<StepState['stages']>): IncidentState {
  const step = {
    id: 'failback',
    type: 'shift_traffic',
    title: 'Fail back',
    status,
    attempts: 1,
    idempotency_key: 'k',
    started_at: at(10),
    attempt_started_at: at(10),
    ended_at: at(16),
    result: { min_success_rate: 0.95, min_attempts: 5 },
    stages,
  } as StepState;
  return {
    opened_at: at(0),
    status: 'monitoring',
    milestones: {},
    step_order: ['failback'],
    steps: { failback: step },
  } as unknown as IncidentState;
}

const stage = (result: 'switched' | 'held' | 'halted', extra: object = {}) => ({
  key: 'k',
  stage: 0,
  share: 10,
  to: 'stripe',
  result,
  split: SPLIT,
  ...extra,
});

function seen(lowest?: number): SandboxObservations & { asked: [number, number][] } {
  const asked: [number, number][] = [];
  return {
    asked,
    requests: [],
    lowestSuccessRate: (from, to) => {
      asked.push([from, to]);
      return lowest === undefined ? undefined : { rate: lowest, at: at(12) };
    },
  };
}

describe('drill expectation canary: halted', () => {
  it('passes when a stage halted on a reading below the threshold over enough payments, and the routing rolled back', () => {
    const state = stateWithCanary('failed', [
      stage('switched'),
      stage('halted', { success_rate: 0.8, attempts: 6, reason: 'low', rolled_back_to: ADYEN }),
    ]);
    const [r] = checkExpectations({ canary: 'halted' }, state, seen());
    expect(r).toMatchObject({ name: 'canary', pass: true, observed: 'canary halted: 10% halted at 80.0%; rolled back to adyen 100%' });
  });

  it('fails when the halt was for want of evidence (too few payments), not on a low success rate', () => {
    const state = stateWithCanary('failed', [
      stage('halted', { success_rate: 0.8, attempts: 2, reason: 'not enough evidence about stripe', rolled_back_to: ADYEN }),
    ]);
    const [r] = checkExpectations({ canary: 'halted' }, state, seen());
    expect(r!.pass).toBe(false);
    expect(r!.observed).toContain('not on a low success rate (not enough evidence about stripe)');
  });

  it('fails when the rollback was not recorded', () => {
    const state = stateWithCanary('failed', [stage('halted', { success_rate: 0.5, attempts: 9, reason: 'low' })]);
    const [r] = checkExpectations({ canary: 'halted' }, state, seen());
    expect(r).toMatchObject({ pass: false, observed: expect.stringContaining('the rollback was not recorded') });
  });

  it('fails when the canary completed', () => {
    const state = stateWithCanary('ok', [stage('held', { success_rate: 0.985, attempts: 9 })]);
    const [r] = checkExpectations({ canary: 'halted' }, state, seen());
    expect(r).toMatchObject({ pass: false, observed: 'canary completed: 10% held at 98.5%' });
  });
});

describe('drill expectation canary_customers_above', () => {
  it("reads customers' lowest rate over the canary step, from its start to its end", () => {
    const state = stateWithCanary('failed', [stage('halted', { success_rate: 0.8, attempts: 6, rolled_back_to: ADYEN })]);
    const s = seen(0.9665);
    const [r] = checkExpectations({ canary_customers_above: 0.95 }, state, s);
    expect(r).toMatchObject({ name: 'canary_customers_above', pass: true });
    expect(r!.observed).toMatch(/^lowest 96\.7% at 02:00:12 \(over 6s\)$/);
    expect(s.asked).toEqual([[T0 + 10_000, T0 + 16_000]]);
  });

  it('fails when customers dropped to the threshold or below, or when no canary ran', () => {
    const state = stateWithCanary('failed', [stage('halted', { success_rate: 0.05, attempts: 6, rolled_back_to: ADYEN })]);
    expect(checkExpectations({ canary_customers_above: 0.95 }, state, seen(0.89))[0]).toMatchObject({ pass: false });
    const none = { ...state, step_order: [], steps: {} } as IncidentState;
    expect(checkExpectations({ canary_customers_above: 0.95 }, none, seen(0.99))[0]).toMatchObject({
      pass: false,
      observed: 'no canary ran',
    });
  });
});

/** Timeline events as a playbook run records them, for tests that write a timeline directly. */
import type { NewEvent } from '../../src/timeline/events.js';

/**
 * A switch_provider step, `failover`, that moved traffic from stripe to adyen,
 * verified: its step_started and step_completed events.
 */
export function failoverStepEvents(o: { title: string; idempotencyKey: string; durationMs: number }): NewEvent[] {
  return [
    {
      type: 'step_started',
      step: 'failover',
      data: { step_type: 'switch_provider', title: o.title, attempt: 1, idempotency_key: o.idempotencyKey },
    },
    {
      type: 'step_completed',
      step: 'failover',
      data: {
        step_type: 'switch_provider',
        outcome: 'ok',
        attempt: 1,
        duration_ms: o.durationMs,
        result: { from: 'stripe', to: 'adyen', before: ['stripe', 'adyen'], after: ['adyen', 'stripe'], verified: true, failback: false },
      },
    },
  ];
}

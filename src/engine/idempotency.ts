/** The idempotency key of a step: stable per incident and step, over retries and resumes. */
export function idempotencyKey(incidentId: string, stepId: string): string {
  return `payctl-${incidentId}-${stepId}`;
}

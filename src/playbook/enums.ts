/**
 * The playbook format's fixed value lists and choice helpers, without zod:
 * modules on the run path (engine, providers) import these from here so that
 * running a step never loads the schema (playbook/schema.ts re-exports them).
 */
export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const PROVIDER_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;

/** An `input`/`choose` option: a plain value, or a value with a label. */
export type Choice = string | { value: string; label?: string };

export function choiceValue(c: Choice): string {
  return typeof c === 'string' ? c : c.value;
}
export function choiceLabel(c: Choice): string {
  return typeof c === 'string' ? c : (c.label ?? c.value);
}

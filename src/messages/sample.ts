/** Sample data for previewing and checking message templates without a real incident. */
import type { Scope } from '../template/engine.js';
import type { MessageTemplate } from './templates.js';

export const SAMPLE_INCIDENT = {
  id: '20260314-020304-ab12',
  title: 'Card payments failing at Stripe',
  severity: 'sev1',
  status: 'identified',
  playbook: 'provider-outage',
  started_at: '2026-03-14T02:03:04.000Z',
  elapsed: '12m',
  dry_run: false,
  roles: { commander: 'Dana', comms: 'Sam' },
  team: 'commander Dana, comms Sam',
};

/** Values for every declared var: the default, else the declared sample, else "<name>"; `sampled` lists the names given sample values. */
export function sampleVars(
  t: MessageTemplate,
  supplied: Record<string, unknown> = {},
): { vars: Record<string, unknown>; sampled: string[] } {
  const vars: Record<string, unknown> = {};
  const sampled: string[] = [];
  for (const [k, d] of Object.entries(t.vars)) {
    if (supplied[k] !== undefined) vars[k] = supplied[k];
    else if (d.default !== undefined) vars[k] = d.default;
    else {
      vars[k] = d.sample ?? `<${k}>`;
      sampled.push(k);
    }
  }
  return { vars, sampled };
}

export function sampleScope(t: MessageTemplate, config: unknown, incident: Record<string, unknown> = SAMPLE_INCIDENT): Scope {
  return { incident, config: config ?? {}, vars: sampleVars(t).vars, now: '2026-03-14T02:15:04.000Z' };
}

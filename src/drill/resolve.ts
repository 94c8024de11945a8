/**
 * A playbook's drill, or one of its named scenarios (drill.scenarios) resolved
 * against it: the fault, traffic, answers and expectations to use. Shared by
 * `payctl drill --scenario` and `payctl sandbox --playbook --scenario`; an
 * unknown scenario is exit 2 naming the playbook's scenarios.
 */
import { InvalidInputError } from '../errors.js';
import type { DrillExpect, DrillSpec } from '../playbook/schema.js';

/** One drill to run: the playbook's drill, or one of its scenarios resolved against it. */
export interface ResolvedDrill {
  scenario?: string;
  fault: string;
  ordersPerMinute?: number;
  vars: Record<string, string | number | boolean>;
  expect: DrillExpect;
}

/** The drill itself, or its scenario `name` (vars merged over the drill's; orders_per_minute inherited unless given). */
export function resolveDrill(playbookId: string, spec: DrillSpec, name?: string): ResolvedDrill {
  if (name === undefined) return { fault: spec.fault, ordersPerMinute: spec.orders_per_minute, vars: spec.vars ?? {}, expect: spec.expect };
  const scenario = spec.scenarios?.[name];
  if (!scenario) {
    const names = Object.keys(spec.scenarios ?? {});
    throw new InvalidInputError(
      `playbook ${playbookId} has no drill scenario "${name}"`,
      names.length
        ? `its scenarios: ${names.join(', ')} (or leave out --scenario for the drill itself)`
        : 'it has only its drill; leave out --scenario, or add drill.scenarios (see docs/playbooks.md, "Drills")',
    );
  }
  return {
    scenario: name,
    fault: scenario.fault,
    ordersPerMinute: scenario.orders_per_minute ?? spec.orders_per_minute,
    vars: { ...spec.vars, ...scenario.vars },
    expect: scenario.expect,
  };
}

/**
 * Incident roles: the four every incident may have, and those a playbook
 * declares under `roles:`. `owner:` (on a manual step or a reminder) must
 * name one of them; `payctl incident assign` gives a role to a person (a
 * role_assigned event), and the engine shows owned work with who holds it.
 */
import type { SourceProblem } from '../errors.js';
import { nearestNames } from '../nearest-names.js';
import { problemAt, type PathKey, type YamlSource } from '../source/yaml-file.js';

export const STANDARD_ROLES: Readonly<Record<string, string>> = {
  commander: 'runs the incident: decides, delegates, hands off (payctl incident handoff)',
  comms: 'tells customers and stakeholders: status page, banner, email, Slack updates',
  processor: 'works with the payment processor: escalation, follow-ups',
  scribe: 'keeps the record: notes, decisions, the postmortem draft',
};

export const ROLE_NAME = /^[a-z][a-z0-9_-]*$/;

/** The standard roles and a playbook's own (`roles:`), in that order. */
export function knownRoles(declared: Readonly<Record<string, unknown>> | undefined): string[] {
  return [...new Set([...Object.keys(STANDARD_ROLES), ...Object.keys(declared ?? {})])];
}

/** "comms (sam)", "comms (you)", or "comms (nobody yet)": a role with who holds it. */
export function roleHolder(role: string, roles: Readonly<Record<string, string>>, actor?: string): string {
  const person = roles[role];
  if (!person) return `${role} (nobody yet)`;
  return `${role} (${person === actor ? 'you' : person})`;
}

/** "commander alice, comms sam": who holds each role, for a status line or a Slack update ("" when nobody does). */
export function rolesLine(roles: Readonly<Record<string, string>>): string {
  return Object.entries(roles)
    .map(([role, person]) => `${role} ${person}`)
    .join(', ');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every `owner:` in a playbook's raw data names a standard role or one under `roles:`. */
export function lintOwners(src: YamlSource): SourceProblem[] {
  const data = src.data;
  if (!isObj(data)) return [];
  const known = knownRoles(isObj(data.roles) ? data.roles : undefined);
  const out: SourceProblem[] = [];
  const check = (owner: unknown, path: PathKey[], where: string) => {
    if (typeof owner !== 'string' || known.includes(owner)) return;
    const near = nearestNames(owner, known);
    out.push(
      problemAt(
        src,
        path,
        `${where}owner: unknown role "${owner}" (${known.join(', ')}${near.length ? `; did you mean ${near.join(' or ')}?` : ''}); declare a playbook's own under roles:`,
        'value',
      ),
    );
  };
  if (isObj(data.remind_every)) check(data.remind_every.owner, ['remind_every', 'owner'], 'remind_every: ');
  if (Array.isArray(data.steps))
    data.steps.forEach((s, i) => {
      if (!isObj(s)) return;
      const label = typeof s.id === 'string' ? `step "${s.id}": ` : `step ${i + 1}: `;
      check(s.owner, ['steps', i, 'owner'], label);
      if (isObj(s.remind_every)) check(s.remind_every.owner, ['steps', i, 'remind_every', 'owner'], `${label}remind_every: `);
    });
  return out;
}

/**
 * payctl incident assign <id> --role <role> --to <person>, and
 * payctl incident handoff <id> --to <person> [--note …]: who holds which role
 * in an incident, recorded as role_assigned events (a handoff is the commander
 * role passed on, with its note). `incident show` lists the roles; a playbook's
 * `owner:` steps and reminders name them.
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { findPlaybookOrBundled } from '../playbook/bundled.js';
import { loadPlaybookFile } from '../playbook/load.js';
import { knownRoles, ROLE_NAME, rolesLine } from '../playbook/roles.js';
import { nearestNames } from '../nearest-names.js';
import type { NewEvent } from '../timeline/events.js';
import type { IncidentState } from '../timeline/replay.js';
import { normalActorName } from '../timeline/actor.js';
import { cancelledError, milestoneEvent } from '../timeline/status.js';
import { resolveIncidentId } from './incident-id.js';

export interface AssignOptions {
  role: string;
  to: string;
  json?: boolean;
}

export interface HandoffOptions {
  to: string;
  note?: string;
  json?: boolean;
}

export async function assignRole(ctx: Context, idArg: string, opts: AssignOptions): Promise<void> {
  const role = opts.role.trim();
  if (!ROLE_NAME.test(role))
    throw new InvalidInputError(
      `--role "${opts.role}" is not a role name (lower-case letters, digits, - and _)`,
      'e.g. --role commander, comms, processor or scribe',
    );
  const person = personOf(opts.to);
  const id = await resolveIncidentId(ctx, idArg, { real: true });
  const { state, previous } = await recordRole(ctx, id, { role, person });
  if (previous === person) return say(ctx, { incident: id, role, person, already: true }, `${person} already holds ${role} in ${id}`);
  const known = knownRoles(playbookRoles(ctx, state));
  if (!known.includes(role)) {
    const near = nearestNames(role, known);
    ctx.out.warn(
      `"${role}" is not a role of this incident's playbook (${known.join(', ')}): recorded as a role of its own${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}`,
    );
  }
  say(
    ctx,
    { incident: id, role, person, ...(previous ? { previous } : {}) },
    `${id}: ${role} ${previous ? `${previous} → ${person}` : person}`,
  );
}

export async function handoff(ctx: Context, idArg: string, opts: HandoffOptions): Promise<void> {
  const person = personOf(opts.to);
  const note = opts.note?.trim() || undefined;
  const id = await resolveIncidentId(ctx, idArg, { real: true });
  const { previous } = await recordRole(ctx, id, { role: 'commander', person, note, handoff: true });
  if (previous === person)
    throw new InvalidInputError(`${person} already is the commander of ${id}`, 'hand off to someone else: --to <person>');
  say(
    ctx,
    { incident: id, role: 'commander', person, ...(previous ? { previous } : {}), ...(note ? { note } : {}), handoff: true },
    `${id}: commander ${previous ? `${previous} → ${person}` : person} (handoff recorded${note ? `: ${note}` : ''})`,
  );
}

function personOf(to: string): string {
  const person = normalActorName(to);
  if (!person)
    throw new InvalidInputError('--to is empty', 'name the person: --to sam (the name they run payctl as: PAYCTL_ACTOR or git user.name)');
  return person;
}

/**
 * role_assigned (with who held the role before), and the acknowledged milestone
 * when nobody acknowledged the incident yet; nothing when `person` already holds it.
 */
async function recordRole(
  ctx: Context,
  id: string,
  d: { role: string; person: string; note?: string; handoff?: boolean },
): Promise<{ state: IncidentState; previous?: string }> {
  const store = await ctx.store();
  const { state } = await store.replay(id);
  if (state.status === 'cancelled') throw cancelledError(state);
  const previous = state.roles[d.role];
  if (previous === d.person) return { state, previous };
  const ack = milestoneEvent(state, 'acknowledged');
  const events: NewEvent[] = [
    {
      type: 'role_assigned',
      data: {
        role: d.role,
        person: d.person,
        ...(previous ? { previous } : {}),
        ...(d.note ? { note: d.note } : {}),
        ...(d.handoff ? { handoff: true } : {}),
      },
    },
    ...(ack ? [ack] : []),
  ];
  const w = await store.appender(id, { now: () => ctx.clock.now() });
  try {
    await w.appendAll(events);
  } finally {
    await w.close();
  }
  return { state, previous };
}

function say(ctx: Context, json: Record<string, unknown>, line: string): void {
  if (ctx.out.jsonMode) ctx.out.json(json);
  else ctx.out.line(line);
}

/** The `roles:` the incident's playbook declares (none when it cannot be read: the standard roles still apply). */
function playbookRoles(ctx: Context, state: IncidentState): Record<string, string> | undefined {
  try {
    const fromFile = state.playbook_file ? loadPlaybookFile(state.playbook_file).playbook : undefined;
    const pb =
      fromFile ?? (state.playbook ? findPlaybookOrBundled(ctx.config().playbooksDir, state.playbook, ctx.cwd).playbook : undefined);
    return pb?.roles;
  } catch {
    return undefined;
  }
}

/** "commander alice, comms sam", or "-" (incident show's roles line). */
export function rolesSummary(roles: Record<string, string>): string {
  return rolesLine(roles) || '-';
}

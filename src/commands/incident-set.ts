/**
 * payctl incident set <id> name=value…: change an incident's inputs after the
 * start (an input asked late or never took its default; the ETA changed). Each
 * value is checked against the input's type as a prompt would, then recorded
 * as input_answered (from: set); the steps run by a later resume read the new
 * value (a run in progress keeps the state it replayed when it started).
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { coerce } from '../engine/inputs.js';
import { findPlaybookOrBundled } from '../playbook/bundled.js';
import { loadPlaybookFile } from '../playbook/load.js';
import type { Playbook } from '../playbook/schema.js';
import { parseVars } from '../ui/answers.js';
import { cancelledError } from '../timeline/status.js';
import { resolveIncidentId } from './incident-id.js';

export async function setInputs(ctx: Context, idArg: string, assignments: string[]): Promise<void> {
  const given = parseVars(assignments);
  const loaded = ctx.config();
  const id = await resolveIncidentId(ctx, idArg);
  const store = await ctx.store();
  const { state } = await store.replay(id);
  if (state.status === 'cancelled') throw cancelledError(state);
  const playbook = incidentPlaybook(ctx, state.playbook_file, state.playbook);
  const inputs = playbook?.inputs ?? {};
  const providers = Object.keys(loaded.config.providers);
  const changes: { name: string; value: unknown; before: unknown }[] = [];
  for (const [name, raw] of Object.entries(given.values)) {
    const spec = inputs[name];
    if (!spec) {
      const known = Object.keys(inputs);
      throw new InvalidInputError(
        `incident ${id} (playbook ${state.playbook ?? '-'}) has no input named ${name}`,
        known.length ? `its inputs: ${known.join(', ')}` : 'its playbook takes no inputs',
      );
    }
    changes.push({ name, value: coerce(name, spec, raw, providers), before: state.answers[name] });
  }
  const w = await store.appender(id, { now: () => ctx.clock.now() });
  try {
    for (const c of changes) await w.appendAll([{ type: 'input_answered', data: { name: c.name, value: c.value, from: 'set' } }]);
  } finally {
    await w.close();
  }
  if (ctx.out.jsonMode) return ctx.out.json({ incident: id, set: Object.fromEntries(changes.map((c) => [c.name, c.value])) });
  if (state.status === 'resolved') ctx.out.warn(`incident ${id} is resolved: recorded, but no step of it runs any more to use it`);
  for (const c of changes)
    ctx.out.line(`${id}: ${c.name} ${c.before === undefined ? '' : `${JSON.stringify(c.before)} → `}${JSON.stringify(c.value)}`);
}

/** The playbook the incident runs (the file it was started from, else by id), for the inputs' types. */
function incidentPlaybook(ctx: Context, file: string | undefined, id: string | undefined): Playbook | undefined {
  if (file) {
    const pb = loadPlaybookFile(file).playbook;
    if (pb) return pb;
  }
  if (!id) return undefined;
  return findPlaybookOrBundled(ctx.config().playbooksDir, id, ctx.cwd).playbook;
}

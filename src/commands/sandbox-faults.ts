/**
 * The faults `payctl sandbox` starts with, from a playbook's drill:
 * `--playbook <id>` takes its drill.fault, `--playbook <id> --scenario <name>`
 * the fault of its drill.scenarios.<name> (as `payctl drill <id> --scenario
 * <name>` does), each with its orders_per_minute. `--scenario <id>` alone is
 * the older form of `--playbook <id>`; given a scenario's name instead, it is
 * exit 2 naming the playbooks that have one so named, with the command for each.
 * Playbooks are looked up in the configured directory, then among the shipped ones.
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { resolveDrill } from '../drill/resolve.js';
import { bundledPlaybooksDir, findPlaybookOrBundled } from '../playbook/bundled.js';
import { listPlaybookFiles, loadPlaybookFile, type LoadedPlaybook } from '../playbook/load.js';
import type { Playbook } from '../playbook/schema.js';

export interface StartFaults {
  fault: string;
  ordersPerMinute?: number;
  /** The playbook's file, and its id. */
  file: string;
  playbook: string;
  /** The drill scenario, when one was named. */
  scenario?: string;
}

export interface StartFaultsOptions {
  playbook?: string;
  scenario?: string;
}

export function startFaults(ctx: Context, o: StartFaultsOptions): StartFaults | undefined {
  if (o.playbook === undefined && o.scenario === undefined) return undefined;
  const dir = ctx.config().playbooksDir;
  if (o.playbook !== undefined) return faultsOf(findPlaybookOrBundled(dir, o.playbook, ctx.cwd), o.scenario);
  const named = o.scenario!;
  try {
    return faultsOf(findPlaybookOrBundled(dir, named, ctx.cwd), undefined);
  } catch (e) {
    if (!(e instanceof InvalidInputError) || !e.message.startsWith('no playbook')) throw e;
    const owners = withScenario([dir, bundledPlaybooksDir()], named);
    if (!owners.length) throw e;
    throw new InvalidInputError(
      `"${named}" is a drill scenario of ${owners.length === 1 ? 'playbook' : 'playbooks'} ${owners.join(', ')}, not a playbook: say whose with --playbook`,
      owners.length === 1
        ? `payctl sandbox --playbook ${owners[0]} --scenario ${named}`
        : `one of:\n${owners.map((p) => `  payctl sandbox --playbook ${p} --scenario ${named}`).join('\n')}`,
    );
  }
}

function faultsOf(pb: LoadedPlaybook & { playbook: Playbook }, scenario: string | undefined): StartFaults {
  const { playbook, file } = pb;
  if (!playbook.drill?.fault)
    throw new InvalidInputError(
      `playbook "${playbook.id}" (${file}) has no drill.fault to inject`,
      'add drill: { fault: "stripe:down", expect: { … } } to it, or start without --playbook and inject with POST /_control/fault',
    );
  const drill = resolveDrill(playbook.id, playbook.drill, scenario);
  return { fault: drill.fault, ordersPerMinute: drill.ordersPerMinute, file, playbook: playbook.id, scenario: drill.scenario };
}

/** The ids of the playbooks in `dirs` (the first of an id wins) whose drill has a scenario `name`. */
function withScenario(dirs: string[], name: string): string[] {
  const seen = new Map<string, boolean>();
  for (const dir of dirs)
    for (const f of listPlaybookFiles(dir)) {
      const pb = loadPlaybookFile(f).playbook;
      if (pb && !seen.has(pb.id)) seen.set(pb.id, pb.drill?.scenarios?.[name] !== undefined);
    }
  return [...seen].filter(([, has]) => has).map(([id]) => id);
}

/**
 * The steps `payctl failover` and `payctl failback` ran, rebuilt from the
 * timeline for a resume. Those commands build their one-step playbook in
 * memory (commands/failover.ts) and have no file to load again; each switch
 * they ran is recorded as a step_started event with the step's params (the
 * target, share, stages, hold, …), which is all the step needs to go on.
 */
import type { Playbook, Step } from '../playbook/schema.js';
import type { IncidentState } from '../timeline/replay.js';
import type { Store } from '../store/store.js';

/** The sources (and playbook ids) of the incidents those commands open. */
const BUILT_IN = new Set(['failover', 'failback']);
/** Their step ids: failover, failback, and failover-2, … when joined to an incident again. */
const BUILT_IN_STEP = /^(failover|failback)(-\d+)?$/;
const BUILT_IN_TYPES = new Set(['switch_provider', 'shift_traffic']);

/** An incident opened by failover or failback: its playbook was never a file. */
export function isBuiltInIncident(state: Pick<IncidentState, 'playbook' | 'playbook_file' | 'source'>): boolean {
  return !state.playbook_file && state.playbook !== undefined && BUILT_IN.has(state.playbook) && state.source === state.playbook;
}

/** The whole playbook of an incident failover or failback opened, with every switch joined to it since. */
export async function builtInPlaybook(store: Store, state: IncidentState): Promise<Playbook> {
  return { id: state.playbook ?? state.source, title: state.title, severity: state.severity, steps: await builtInSteps(store, state) };
}

/** A playbook incident's playbook with the failover/failback switches joined to it (failback --incident), after its own steps. */
export async function withJoinedSteps(store: Store, state: IncidentState, playbook: Playbook): Promise<Playbook> {
  const own = new Set(playbook.steps.map((s) => s.id));
  if (!state.step_order.some((id) => !own.has(id) && BUILT_IN_STEP.test(id))) return playbook;
  const joined = (await builtInSteps(store, state)).filter((s) => !own.has(s.id));
  return joined.length ? { ...playbook, steps: [...playbook.steps, ...joined] } : playbook;
}

/** The switch steps in the order they first started, each from the params of its last step_started. */
async function builtInSteps(store: Store, state: IncidentState): Promise<Step[]> {
  const started = new Map<string, { type: string; title: string; params: Record<string, unknown> }>();
  for (const e of (await store.read(state.id)).events) {
    if (e.type !== 'step_started' || !e.step || !BUILT_IN_STEP.test(e.step) || !BUILT_IN_TYPES.has(e.data.step_type)) continue;
    started.set(e.step, { type: e.data.step_type, title: e.data.title, params: (e.data.params ?? {}) as Record<string, unknown> });
  }
  return state.step_order.flatMap((id) => {
    const s = started.get(id);
    return s ? [{ ...s.params, id, title: s.title, type: s.type, confirm: confirmOf(s.type, s.params), on_failure: 'abort' } as Step] : [];
  });
}

/** The question the command asked before it moved traffic, asked again before a retry. */
function confirmOf(type: string, p: Record<string, unknown>): string {
  const to = String(p.to);
  if (type === 'shift_traffic' && Array.isArray(p.stages)) return `Move payment traffic back to ${to} in stages ${p.stages.join(', ')}%?`;
  return typeof p.share === 'number' ? `Move ${p.share}% of payment traffic to ${to}?` : `Move payment traffic to ${to}?`;
}

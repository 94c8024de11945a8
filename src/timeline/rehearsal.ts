/**
 * Rehearsals: incidents opened by a drill or the demo (against the built-in
 * sandbox), or dry runs. They are kept in the store like any incident, but
 * they say nothing about providers (the scorecard leaves them out), never
 * stand in for a real incident (`check --start-incident`), and a drill's or
 * the demo's cannot be resumed: its sandbox is gone, and a resume would act
 * on the providers of the user's own config.
 */
import type { IncidentState } from './replay.js';

/** incident_opened sources that are rehearsals against the sandbox. */
export const SANDBOX_SOURCES: readonly string[] = ['drill', 'demo'];

/** Why an incident is a rehearsal (a dry run, a drill, a demo), or undefined for a real one. */
export function rehearsalKind(state: Pick<IncidentState, 'dry_run' | 'source'>): string | undefined {
  if (SANDBOX_SOURCES.includes(state.source)) return state.source;
  if (state.dry_run) return 'dry run';
  return undefined;
}

/** The command that runs a demo or drill again (a new incident, on a new sandbox). */
export function rerunCommand(state: Pick<IncidentState, 'source' | 'playbook'>): string {
  return state.source === 'drill' ? `payctl drill ${state.playbook ?? '<playbook>'}` : `payctl ${state.source}`;
}

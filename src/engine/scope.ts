/**
 * The template scope (what `{{ }}`, `when:` and `until:` read), built from the
 * replayed incident state:
 *   inputs.<name>   playbook inputs
 *   steps.<id>      { outcome, value, result }   (outcome: ok|failed|skipped|started)
 *   incident        { id, title, severity, status, playbook, started_at, elapsed, dry_run,
 *                     roles (role → person), team ("commander alice, comms sam", "" when nobody has a role) }
 *   config          the loaded config (secrets stay env:NAME strings)
 *   now             ISO time
 */
import { formatDuration } from '../duration.js';
import type { Config } from '../config/schema.js';
import type { Scope } from '../template/engine.js';
import type { IncidentState } from '../timeline/replay.js';
import { rolesLine } from '../playbook/roles.js';

export interface StepScope {
  outcome: 'ok' | 'failed' | 'skipped' | 'started';
  value: unknown;
  result: Record<string, unknown>;
}

export function buildScope(
  state: IncidentState,
  config: Config | Record<string, unknown>,
  now: Date,
  inputs?: Record<string, unknown>,
): Scope {
  const steps: Record<string, StepScope> = {};
  for (const [id, st] of Object.entries(state.steps)) {
    const result = st.result ?? {};
    steps[id] = { outcome: st.status, value: 'value' in result ? result.value : null, result };
  }
  return {
    inputs: { ...state.answers, ...(inputs ?? {}) },
    steps,
    incident: {
      id: state.id,
      title: state.title,
      severity: state.severity,
      status: state.status,
      playbook: state.playbook ?? null,
      started_at: state.opened_at,
      elapsed: formatDuration(now.getTime() - Date.parse(state.opened_at)),
      dry_run: state.dry_run,
      roles: { ...state.roles },
      team: rolesLine(state.roles ?? {}),
    },
    config,
    now: now.toISOString(),
  };
}

/**
 * The second-person gates of an incident as `incident show` (and its --json)
 * lists them: each gate, who asked, and where it stands (waiting, approved by
 * X at T, declined by X: reason), with what to run next: the approve command
 * while it waits, the resume command when it is approved and no run goes on.
 */
import type { IncidentState, SecondPersonApproval } from './replay.js';

export interface ApprovalView extends SecondPersonApproval {
  /** What to run next about this gate, when anything. */
  next?: string;
}

export function approvalsView(state: IncidentState): ApprovalView[] {
  return Object.values(state.approvals ?? {}).map((g) => {
    const ran = state.steps[g.step] !== undefined;
    if (g.status === 'waiting' && state.status !== 'cancelled')
      return { ...g, next: `anyone but ${g.requested_by}: payctl incident approve ${state.id} --step ${g.step}` };
    if (g.status === 'approved' && !ran && state.run !== 'running' && state.status !== 'cancelled')
      return { ...g, next: `anyone but ${g.by}: payctl incident resume ${state.id} --yes` };
    return { ...g };
  });
}

/** "approved by bob at T", "declined by bob: reason", "waiting". */
export function approvalStanding(g: SecondPersonApproval): string {
  if (g.status === 'approved') return `approved by ${g.by} at ${g.at}`;
  if (g.status === 'denied') return `declined by ${g.by}${g.reason ? `: ${g.reason}` : ''}`;
  return 'waiting for a second person';
}

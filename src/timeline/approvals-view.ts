/**
 * The second-person gates of an incident as `incident show` (and its --json)
 * lists them: each gate, who asked, and where it stands (waiting, approved by
 * X at T, declined by X: reason), with what to run next: the approve command
 * while it waits (and the resume after it when no run waits at it), the
 * resume command when it is approved and no run goes on. Whether a run goes
 * on is the run lock's answer (run-state.ts), passed in as `live`: a killed
 * run's timeline still says running.
 */
import type { IncidentState, SecondPersonApproval } from './replay.js';

export interface ApprovalView extends SecondPersonApproval {
  /** What to run next about this gate, when anything. */
  next?: string;
}

export function approvalsView(state: IncidentState, live: boolean): ApprovalView[] {
  return Object.values(state.approvals ?? {}).map((g) => {
    const ran = state.steps[g.step] !== undefined;
    if (g.status === 'waiting' && state.status !== 'cancelled') {
      const approve = `anyone but ${g.requested_by}: payctl incident approve ${state.id} --step ${g.step}`;
      return { ...g, next: live ? approve : `${approve}; then anyone but the approver: payctl incident resume ${state.id} --yes` };
    }
    if (g.status === 'approved' && !ran && !live && state.status !== 'cancelled')
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

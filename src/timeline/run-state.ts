/**
 * Where an incident's run stands, for `incident list`, `incident resume`
 * without an id, `check --start-incident`, `incident show` and `incident
 * approve`/`deny`: running now (a live process holds its run lock),
 * interrupted (its last run has no end event and no process holds the lock:
 * killed, or the machine went down), stopped (it recorded run_stopped),
 * finished, or none. An open incident whose run was interrupted or stopped is
 * waiting for a resume, and says with which command. Whether a run is live is
 * asked of the store's run lock (readWithLiveness here; incident list asks
 * it for a whole page at once), never guessed from the timeline alone: a
 * killed run's timeline says "running".
 */
import type { StoreLocks } from './lock.js';
import { isOpen, type IncidentState } from './replay.js';
import { SANDBOX_SOURCES } from './rehearsal.js';

export type RunCondition = 'running' | 'interrupted' | 'stopped' | 'finished' | 'none';

type RunFields = Pick<
  IncidentState,
  'id' | 'status' | 'source' | 'run' | 'run_stop_reason' | 'run_stop_exit_code' | 'run_stopped_at_step' | 'dry_run'
>;

type RunLocks = Pick<StoreLocks, 'runsHeld'>;

/**
 * One incident's state (`read`) and whether its run is live. The lock is
 * asked before the state is read: a run appends its end before it lets go
 * of the lock, so a run that ends meanwhile reads as ended, not interrupted.
 */
export async function readWithLiveness<S extends Pick<IncidentState, 'run'>>(
  locks: RunLocks,
  id: string,
  read: () => Promise<S>,
): Promise<{ state: S; live: boolean }> {
  const held = (await locks.runsHeld([id])).has(id);
  const state = await read();
  return { state, live: held && state.run === 'running' };
}

export function runCondition(state: Pick<IncidentState, 'run'>, live: boolean): RunCondition {
  if (state.run === 'running') return live ? 'running' : 'interrupted';
  return state.run;
}

export interface ResumeWait {
  /** The command that continues it. */
  command: string;
  /** Why it waits, in a few words. */
  why: string;
}

/** A stop that needed a person (an approval, a checklist, a decision): resumed with --yes when unattended. */
const NEEDED_A_PERSON = /no person to ask|needs a person/;

/**
 * The resume an open incident waits for, or undefined (running now, finished,
 * closed, or a drill or demo, whose sandbox is gone: those are run again, not resumed).
 */
export function waitingForResume(state: RunFields, live: boolean): ResumeWait | undefined {
  if (!isOpen(state) || SANDBOX_SOURCES.includes(state.source)) return undefined;
  const cond = runCondition(state, live);
  if (cond !== 'stopped' && cond !== 'interrupted') return undefined;
  const at = state.run_stopped_at_step ? ` at step ${state.run_stopped_at_step}` : '';
  const yes = cond === 'stopped' && state.run_stop_exit_code === 3 && NEEDED_A_PERSON.test(state.run_stop_reason ?? '');
  return {
    command: `payctl incident resume ${state.id}${yes ? ' --yes' : ''}`,
    why:
      cond === 'stopped'
        ? `stopped${at}: ${state.run_stop_reason ?? 'no reason recorded'}`
        : 'interrupted: its run ended without a word (killed, or the machine went down)',
  };
}

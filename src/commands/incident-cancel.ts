/**
 * payctl incident cancel <id> --reason "…": close an incident opened by
 * mistake. Recorded as incident_cancelled (the timeline keeps everything),
 * status cancelled; the scorecard and the postmortem's metrics leave it out.
 * Refused while a run holds the incident (stop it first: its steps could act
 * after the cancel).
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { resolveIncidentId } from './incident-id.js';

export interface CancelOptions {
  reason?: string;
  json?: boolean;
}

export async function cancelIncident(ctx: Context, idArg: string, opts: CancelOptions): Promise<void> {
  const reason = opts.reason?.trim();
  if (!reason)
    throw new InvalidInputError(
      'say why it is cancelled with --reason',
      'payctl incident cancel <id> --reason "opened by mistake: stripe was fine"',
    );
  const id = await resolveIncidentId(ctx, idArg);
  const store = await ctx.store();
  // not while a run acts in it: its next step would act in a cancelled incident
  const release = await store.locks.run(id);
  let already = false;
  let state;
  try {
    state = (await store.replay(id)).state;
    already = state.status === 'cancelled';
    if (!already) {
      const w = await store.appender(id, { now: () => ctx.clock.now() });
      try {
        await w.appendAll([{ type: 'incident_cancelled', data: { reason } }]);
      } finally {
        await w.close();
      }
    }
  } finally {
    await release();
  }
  if (ctx.out.jsonMode)
    ctx.out.json({ incident: id, status: 'cancelled', reason: already ? state.cancelled?.reason : reason, already_cancelled: already });
  else ctx.out.line(already ? `${id} was already cancelled (${state.cancelled?.reason})` : `${id} cancelled: ${reason}`);
  const { trafficLeftAway } = await import('./incident.js');
  const primary = ctx.config().config.routing?.primary;
  const left = trafficLeftAway(state, primary);
  if (left)
    ctx.out.warn(
      `this incident moved traffic to ${left.on} (step ${left.step}) and it is still recorded there: move it back with payctl failback (a new incident records it)`,
    );
}

/**
 * payctl failover / failback: the one-liner for scripts. Each runs one
 * `switch_provider` step through the engine — the same handler, refusals,
 * verification, approval gate and timeline as a playbook — in a new incident
 * or joined to an existing one.
 */
import type { Context } from '../context.js';
import { AbortedError, ExitCode, InvalidInputError, OperationError, PayctlError } from '../errors.js';
import type { Playbook, StepOf } from '../playbook/schema.js';
import type { Config } from '../config/schema.js';
import { isSecretRef, resolveSecret } from '../secrets.js';
import { engineParts, guard, holdingRun, makeEngine, startIncident, type RunReport } from '../engine/run.js';
import { executeStep } from '../engine/execute.js';
import { closeIncident, IncidentSession } from '../engine/session.js';
import { emptyAnswers } from '../ui/answers.js';
import { wroteRouting, type SwitchProviderResult } from '../timeline/results.js';
import { actorName } from '../timeline/actor.js';
import { rehearsalKind } from '../timeline/rehearsal.js';
import { isOpen } from '../timeline/replay.js';
import { cancelledError } from '../timeline/status.js';

export interface FailoverOptions {
  to: string;
  from?: string;
  reason?: string;
  incident?: string;
  force?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export type FailbackOptions = Omit<FailoverOptions, 'to' | 'from' | 'force'>;

export async function failover(ctx: Context, opts: FailoverOptions): Promise<void> {
  await moveTraffic(ctx, 'failover', { ...opts, incident: await incidentArg(ctx, opts.incident) });
}

export async function failback(ctx: Context, opts: FailbackOptions): Promise<void> {
  const primary = ctx.config().config.routing?.primary;
  if (!primary) throw new InvalidInputError('failback needs routing.primary in the config', 'see docs/config.md, section routing');
  // a dry run never joins a real incident: it opens a dry-run incident of its own
  const incident = (await incidentArg(ctx, opts.incident)) ?? (ctx.dryRun ? undefined : await latestOpenFailover(ctx));
  await moveTraffic(ctx, 'failback', { ...opts, to: primary, incident });
}

/** --incident as typed (latest, a prefix or suffix), as the whole id. */
async function incidentArg(ctx: Context, given: string | undefined): Promise<string | undefined> {
  return given === undefined ? undefined : (await import('./incident-id.js')).resolveIncidentId(ctx, given);
}

/** The newest open, real (not a dry run, drill or demo) incident that really moved traffic away from the primary. */
async function latestOpenFailover(ctx: Context): Promise<string | undefined> {
  const movedAway = (r: SwitchProviderResult | undefined) => r !== undefined && r.failback === false && wroteRouting(r);
  return (await ctx.store()).latest(
    (state) =>
      isOpen(state) &&
      rehearsalKind(state) === undefined &&
      Object.values(state.steps).some(
        (s) => s.type === 'switch_provider' && s.status === 'ok' && movedAway(s.result as SwitchProviderResult | undefined),
      ),
  );
}

async function moveTraffic(ctx: Context, kind: 'failover' | 'failback', opts: FailoverOptions): Promise<void> {
  const started = Date.now();
  void actorName(); // who acts, for the timeline: looked up while the switch gets ready
  const config = ctx.config().config;
  if (!config.providers[opts.to]) {
    const known = Object.keys(config.providers);
    throw new InvalidInputError(
      `unknown provider "${opts.to}"`,
      known.length
        ? `configured providers: ${known.join(', ')}`
        : 'declare providers in payctl.config.yaml (payctl init writes an example)',
    );
  }
  if (!ctx.canPrompt && !ctx.yes && !ctx.dryRun) {
    // refuse before opening an incident: nothing was attempted
    throw new AbortedError(
      `${kind} moves live payment traffic and needs approval, and there is no person to ask`,
      `pass --yes to approve it in a script or CI (or --dry-run to see what it would do)`,
    );
  }
  if (ctx.dryRun && opts.incident) {
    throw new InvalidInputError(
      `a dry run is not recorded in a real incident (--incident ${opts.incident})`,
      'leave out --incident: a dry run opens a dry-run incident of its own',
    );
  }
  requireRoutingSecrets(config.routing, ctx.env);
  const title = kind === 'failover' ? `Fail over to ${opts.to}` : `Fail back to ${opts.to}`;
  const step: StepOf<'switch_provider'> = {
    id: kind,
    title,
    type: 'switch_provider',
    to: opts.to,
    ...(opts.from ? { from: opts.from } : {}),
    ...(opts.force ? { force: true } : {}),
    confirm: `Move payment traffic to ${opts.to}?`,
    on_failure: 'abort',
  };
  // a dry run's own incident is a rehearsal: it closes itself when the run ends (engine/run.ts walk)
  const playbook: Playbook = { id: kind, title, severity: 'sev2', steps: [step] };

  if (kind === 'failover' && !opts.incident && !ctx.dryRun) {
    // another open incident that moved traffic relies on the routing this changes
    const { confirmDespite, incidentsWithTrafficMoved } = await import('./incident-overlap.js');
    await confirmDespite(ctx, await incidentsWithTrafficMoved(ctx), {
      what: `failing over to ${opts.to} while another incident has traffic moved`,
      question: `Fail over to ${opts.to} anyway?`,
    });
  }
  const report = opts.incident
    ? await joinIncident(ctx, opts.incident, playbook, step, opts.reason)
    : await startIncident({ ctx, playbook, title: opts.reason ? `${title}: ${opts.reason}` : title, source: kind });

  const state = report.state;
  const ran = state.steps[report.incident === opts.incident ? lastStepId(state, kind) : kind];
  const r = ran?.result as (SwitchProviderResult & { would_refuse?: string; target_status_error?: string }) | undefined;
  // a person answered no at the approval: nothing was touched
  const declined = ran?.status === 'skipped' ? `${kind} to ${opts.to} was not approved: traffic was not moved` : undefined;
  // an incident this command opened, in which no traffic moved (declined, nothing to change, refused before
  // any write), is closed at once: kept as the record of the attempt, not left open among the real ones
  const unmoved =
    declined ??
    (r?.unchanged ? `traffic already went to ${opts.to}` : r?.refused ? `refused: ${ran?.reason ?? 'see the timeline'}` : undefined);
  if (unmoved && !opts.incident && !ctx.dryRun) {
    await closeIncident(await ctx.store(), report.incident, ctx.clock, `${kind} moved no traffic (${unmoved}); closed`);
  }
  const summary = {
    incident: report.incident,
    kind,
    from: r?.from ?? opts.from ?? null,
    to: opts.to,
    verified: r?.verified ?? false,
    routing_before: r?.before ?? null,
    routing_after: r?.after ?? null,
    ...(r?.rolled_back !== undefined ? { rolled_back: r.rolled_back } : {}),
    ...(r?.unchanged ? { unchanged: true } : {}),
    ...(r?.would_refuse ? { would_refuse: r.would_refuse } : {}),
    ...(r?.target_status_error ? { target_status_error: r.target_status_error } : {}),
    dry_run: ctx.dryRun,
    duration_ms: Date.now() - started,
    exit_code: declined ? ExitCode.aborted : report.exitCode,
    ...(report.error
      ? { error: report.error.message }
      : declined
        ? { error: declined }
        : ran?.status === 'failed' && ran.reason
          ? { error: ran.reason }
          : {}),
  };
  if (ctx.out.jsonMode) ctx.out.json(summary);
  else if (!report.error && !declined) {
    const c = ctx.out.color;
    const verdict = ctx.dryRun ? c.yellow('dry run: nothing changed') : summary.verified ? c.green('verified') : c.red('NOT verified');
    ctx.out.line(`${kind}: ${summary.from ?? '?'} → ${opts.to} (${verdict}) in incident ${report.incident}`);
    ctx.out.line(
      c.dim(`routing before: ${(summary.routing_before ?? []).join(' → ')}; after: ${(summary.routing_after ?? []).join(' → ')}`),
    );
    if (kind === 'failback' && summary.verified && !ctx.dryRun && state.status !== 'resolved' && !unmoved) {
      ctx.out.line(
        c.dim(`incident ${report.incident} is still ${state.status}; when the outage is over: payctl incident resolve ${report.incident}`),
      );
    }
  }
  // a failover incident is not resumed from a playbook: report the error without the resume hint
  if (report.error)
    throw new PayctlError(
      report.error.message,
      report.error.exitCode,
      `the attempt is recorded in incident ${report.incident} (payctl incident show ${report.incident})`,
    );
  if (declined) throw new AbortedError(declined, `the decision is recorded in incident ${report.incident}`);
  if (ran?.status === 'failed') throw new OperationError(ran.reason ?? `${kind} failed`);
}

/** A missing routing secret is a usage error (exit 2) found before any incident is opened. */
function requireRoutingSecrets(routing: Config['routing'], env: NodeJS.ProcessEnv): void {
  if (!routing?.adapter) {
    throw new InvalidInputError(
      'no routing.adapter in the config: payctl does not know how to move traffic',
      'configure hyperswitch, http or shell routing; see docs/config.md, section routing',
    );
  }
  const visit = (value: unknown, where: string): void => {
    if (isSecretRef(value)) resolveSecret(value, where, env);
    else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${where}[${i}]`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, `${where}.${k}`);
  };
  visit(routing.adapter, 'routing.adapter');
}

/** The id of the last switch step of this kind in an incident (failover, failover-2, …). */
function lastStepId(state: RunReport['state'], kind: string): string {
  return [...state.step_order].reverse().find((id) => id === kind || id.startsWith(`${kind}-`)) ?? kind;
}

/** Run the switch step inside an existing incident, under a fresh step id. */
async function joinIncident(
  ctx: Context,
  id: string,
  playbook: Playbook,
  step: StepOf<'switch_provider'>,
  reason?: string,
): Promise<RunReport> {
  const store = await ctx.store();
  const joined = (await store.replay(id)).state; // unknown id → exit 2 with the known ones
  const rehearsal = rehearsalKind(joined);
  if (rehearsal) {
    // live traffic moved inside a rehearsal would be left out of the scorecard, and a drill's or demo's routing was the sandbox's
    throw new InvalidInputError(
      `incident ${id} is a ${rehearsal}: real traffic is not moved inside it`,
      'leave out --incident (a new incident is opened), or name a real incident',
    );
  }
  if (joined.status === 'cancelled') throw cancelledError(joined);
  // not while another process runs the incident (it could be switching too)
  return holdingRun(store, id, () => switchIn(ctx, id, playbook, step, reason));
}

async function switchIn(
  ctx: Context,
  id: string,
  playbook: Playbook,
  step: StepOf<'switch_provider'>,
  reason?: string,
): Promise<RunReport> {
  const { session } = await IncidentSession.open(await ctx.store(), id, ctx.clock);
  const taken = session.state().step_order.filter((s) => s === step.id || s.startsWith(`${step.id}-`)).length;
  const joined: StepOf<'switch_provider'> = taken ? { ...step, id: `${step.id}-${taken + 1}` } : step;
  const parts = await engineParts(ctx, emptyAnswers());
  const eng = makeEngine(ctx, session, { ...playbook, steps: [joined] }, parts);
  if (reason) await session.append({ type: 'note_added', data: { text: `${joined.title}: ${reason}` } });
  return guard(eng, async () => {
    eng.current = joined.id;
    await executeStep(eng, joined);
    await eng.reminders.stop();
    return { incident: id, state: session.state(), outcome: 'ok', exitCode: ExitCode.ok };
  });
}

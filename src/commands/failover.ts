/**
 * payctl failover / failback: the one-liner for scripts. Each runs one
 * `switch_provider` step through the engine — the same handler, refusals,
 * verification, approval gate and timeline as a playbook — in a new incident
 * or joined to an existing one. `--share` moves a percent of traffic;
 * `failback --canary 10,25,50,100` runs one `shift_traffic` step instead
 * (stages held on the primary's own success rate).
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
import { switchOfStep, wroteRouting, type SwitchProviderResult } from '../timeline/results.js';
import { actorName } from '../timeline/actor.js';
import { rehearsalKind } from '../timeline/rehearsal.js';
import { checkShare } from '../providers/switch.js';
import { describeSplit } from '../providers/routing/split.js';
import { parseDuration } from '../duration.js';
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
  /** Percent of traffic to move (1..100; default 100). */
  share?: string | number;
}

export interface FailbackOptions extends Omit<FailoverOptions, 'to' | 'from' | 'force' | 'share'> {
  /** Stages of a canary failback, e.g. "10,25,50,100". */
  canary?: string;
  hold?: string;
  minSuccessRate?: string | number;
  minAttempts?: string | number;
}

type MoveStep = StepOf<'switch_provider'> | StepOf<'shift_traffic'>;

interface MoveOptions extends FailoverOptions {
  canary?: Pick<FailbackOptions, 'canary' | 'hold' | 'minSuccessRate' | 'minAttempts'>;
}

export async function failover(ctx: Context, opts: FailoverOptions): Promise<void> {
  await moveTraffic(ctx, 'failover', { ...opts, incident: await incidentArg(ctx, opts.incident) });
}

export async function failback(ctx: Context, opts: FailbackOptions): Promise<void> {
  const primary = ctx.config().config.routing?.primary;
  if (!primary) throw new InvalidInputError('failback needs routing.primary in the config', 'see docs/config.md, section routing');
  // a dry run never joins a real incident: it opens a dry-run incident of its own
  const incident = (await incidentArg(ctx, opts.incident)) ?? (ctx.dryRun ? undefined : await latestOpenFailover(ctx));
  const { canary, hold, minSuccessRate, minAttempts, ...rest } = opts;
  if (canary === undefined && (hold !== undefined || minSuccessRate !== undefined || minAttempts !== undefined)) {
    throw new InvalidInputError(
      '--hold, --min-success-rate and --min-attempts go with --canary',
      'e.g. payctl failback --canary 10,25,50,100 --hold 2m --min-success-rate 0.95',
    );
  }
  await moveTraffic(ctx, 'failback', {
    ...rest,
    to: primary,
    incident,
    ...(canary !== undefined ? { canary: { canary, hold, minSuccessRate, minAttempts } } : {}),
  });
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
      Object.values(state.steps).some((s) => s.status === 'ok' && movedAway(switchOfStep(s.type, s.result))),
    // only open, real incidents are replayed
    (listed) => isOpen(listed) && rehearsalKind(listed) === undefined,
  );
}

/** The --share value as a whole percent; a share the routing cannot take is refused here, before an incident is opened (exit 2). */
function shareOption(config: Config, value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new InvalidInputError(
      `--share ${value} is not a whole percent from 1 to 100`,
      'e.g. --share 90: 90% to the target, the rest kept where it is',
    );
  checkShare(config, n);
  return n === 100 ? undefined : n;
}

/** The shift_traffic step of a canary failback, checked before an incident is opened (exit 2). */
async function canaryStep(
  config: Config,
  to: string,
  o: NonNullable<MoveOptions['canary']>,
  title: string,
): Promise<StepOf<'shift_traffic'>> {
  // only a canary loads the canary's modules (a plain failover starts faster without them)
  const [{ parseStages }, { canaryMetricsProblem }] = await Promise.all([
    import('../steps/shift-traffic.js'),
    import('../providers/metrics.js'),
  ]);
  const stages = parseStages(o.canary, '--canary');
  for (const s of stages) checkShare(config, s);
  const hold = o.hold ?? '2m';
  if (parseDuration(hold) === undefined) throw new InvalidInputError(`--hold ${hold} is not a duration`, 'e.g. --hold 2m');
  const rate = o.minSuccessRate === undefined ? undefined : Number(o.minSuccessRate);
  if (rate !== undefined && !(rate >= 0 && rate <= 1))
    throw new InvalidInputError(`--min-success-rate ${o.minSuccessRate} is not a fraction from 0 to 1`, 'e.g. --min-success-rate 0.95');
  const attempts = o.minAttempts === undefined ? undefined : Number(o.minAttempts);
  if (attempts !== undefined && !(Number.isInteger(attempts) && attempts >= 0))
    throw new InvalidInputError(`--min-attempts ${o.minAttempts} is not a whole number`, 'e.g. --min-attempts 100');
  const problem = canaryMetricsProblem(config, attempts ?? 100);
  if (problem) throw new InvalidInputError(`cannot judge a canary: ${problem}`, 'see docs/providers.md, "Shares and canary failback"');
  return {
    id: 'failback',
    title,
    type: 'shift_traffic',
    to,
    stages,
    hold,
    ...(rate !== undefined ? { min_success_rate: rate } : {}),
    ...(attempts !== undefined ? { min_attempts: attempts } : {}),
    confirm: `Move payment traffic back to ${to} in stages ${stages.join(', ')}%?`,
    on_failure: 'abort',
  };
}

async function moveTraffic(ctx: Context, kind: 'failover' | 'failback', opts: MoveOptions): Promise<void> {
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
  const share = shareOption(config, opts.share);
  const title =
    kind === 'failover'
      ? `Fail over to ${opts.to}${share ? ` (${share}%)` : ''}`
      : `Fail back to ${opts.to}${opts.canary ? ' (canary)' : ''}`;
  const step: MoveStep = opts.canary
    ? await canaryStep(config, opts.to, opts.canary, title)
    : {
        id: kind,
        title,
        type: 'switch_provider',
        to: opts.to,
        ...(opts.from ? { from: opts.from } : {}),
        ...(opts.force ? { force: true } : {}),
        ...(share ? { share } : {}),
        confirm: share ? `Move ${share}% of payment traffic to ${opts.to}?` : `Move payment traffic to ${opts.to}?`,
        on_failure: 'abort',
      };
  // a dry run's own incident is a rehearsal: it closes itself when the run ends (engine/run.ts walk)
  const playbook: Playbook = { id: kind, title, severity: 'sev2', steps: [step] };

  if (!opts.incident && !ctx.dryRun) {
    // another open incident about these providers, or that moved traffic, relies on the routing this changes
    await (await import('./incident-overlap.js')).moveOverlapCheck(ctx, kind, opts.to, opts.from);
  }
  const report = opts.incident
    ? await joinIncident(ctx, opts.incident, playbook, step, opts.reason)
    : await startIncident({ ctx, playbook, title: opts.reason ? `${title}: ${opts.reason}` : title, source: kind });

  const state = report.state;
  const ran = state.steps[report.incident === opts.incident ? lastStepId(state, kind) : kind];
  const r = ran?.result as
    | (SwitchProviderResult & {
        would_refuse?: string;
        target_status_error?: string;
        completed?: boolean;
        results?: unknown[];
        reason?: string;
        start?: { provider: string; percent: number }[];
      })
    | undefined;
  // a canary records the split it started from, halted or not: the routing before, and the provider traffic left
  const byShare = (split: { provider: string; percent: number }[]) =>
    [...split].sort((a, b) => b.percent - a.percent).map((x) => x.provider);
  const canaryStart = opts.canary && Array.isArray(r?.start) ? r.start : undefined;
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
    from: r?.from ?? canaryStart?.find((x) => x.provider !== opts.to)?.provider ?? opts.from ?? null,
    to: opts.to,
    verified: r?.verified ?? false,
    // a canary reports shares: its routing is the order of its split, largest share first
    routing_before: r?.before ?? (canaryStart ? byShare(canaryStart) : null),
    routing_after: r?.after ?? (opts.canary && r?.split_after ? byShare(r.split_after) : null),
    ...(r?.rolled_back !== undefined ? { rolled_back: r.rolled_back } : {}),
    ...(r?.unchanged ? { unchanged: true } : {}),
    ...(r?.share !== undefined ? { share: r.share } : {}),
    ...(r?.split_before ? { split_before: r.split_before } : {}),
    ...(r?.split_after ? { split_after: r.split_after } : {}),
    ...(opts.canary
      ? { canary: { completed: r?.completed === true, stages: r?.results ?? [], ...(r?.reason ? { halted: r.reason } : {}) } }
      : {}),
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
    ctx.out.line(
      `${kind}: ${summary.from ?? '?'} → ${opts.to}${share ? ` (${share}%)` : ''}${opts.canary ? ` by canary ${step.type === 'shift_traffic' ? (step.stages as number[]).join(', ') : ''}%` : ''} (${verdict}) in incident ${report.incident}`,
    );
    const held = (r?.results as { result?: string; share?: number; success_rate?: number | null }[] | undefined)?.filter(
      (x) => x.result === 'held',
    );
    if (opts.canary && held?.length)
      ctx.out.line(
        c.dim(
          `stages held: ${held.map((x) => `${x.share}% at ${typeof x.success_rate === 'number' ? `${(x.success_rate * 100).toFixed(1)}%` : 'no data'}`).join(', ')}`,
        ),
      );
    if (opts.canary && ctx.dryRun) ctx.out.line(c.dim("each stage would be switched, then held on the primary's success rate"));
    else if (r?.split_after) ctx.out.line(c.dim(`shares now: ${describeSplit(r.split_after)}`));
    else
      ctx.out.line(
        c.dim(`routing before: ${(summary.routing_before ?? []).join(' → ')}; after: ${(summary.routing_after ?? []).join(' → ')}`),
      );
    if (kind === 'failback' && summary.verified && !ctx.dryRun && state.status !== 'resolved' && !unmoved) {
      ctx.out.line(
        c.dim(`incident ${report.incident} is still ${state.status}; when the outage is over: payctl incident resolve ${report.incident}`),
      );
    }
  }
  // the error with where it is recorded
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
async function joinIncident(ctx: Context, id: string, playbook: Playbook, step: MoveStep, reason?: string): Promise<RunReport> {
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

async function switchIn(ctx: Context, id: string, playbook: Playbook, step: MoveStep, reason?: string): Promise<RunReport> {
  const { session } = await IncidentSession.open(await ctx.store(), id, ctx.clock);
  const taken = session.state().step_order.filter((s) => s === step.id || s.startsWith(`${step.id}-`)).length;
  const joined: MoveStep = taken ? { ...step, id: `${step.id}-${taken + 1}` } : step;
  const parts = await engineParts(ctx, emptyAnswers());
  const eng = { ...makeEngine(ctx, session, { ...playbook, steps: [joined] }, parts), joined: true };
  // a run of its own in the incident: incident list says running while it goes on, interrupted if it is killed;
  // marked joined, so a playbook run it joined still waits for its resume once it finishes
  await session.appendAll([
    ...(reason ? [{ type: 'note_added' as const, data: { text: `${joined.title}: ${reason}` } }] : []),
    { type: 'run_started', data: { pid: process.pid, resume: false, dry_run: ctx.dryRun, joined: true } },
  ]);
  return guard(eng, async () => {
    eng.current = joined.id;
    await executeStep(eng, joined, true);
    await eng.reminders.stop();
    return { incident: id, state: session.state(), outcome: 'ok', exitCode: ExitCode.ok };
  });
}

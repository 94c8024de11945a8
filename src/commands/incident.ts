/**
 * payctl incident start | resume | list | show | note | status | resolve | verify.
 * The engine (src/engine) does the walking; this file turns flags into its
 * options, prints results, and maps outcomes to exit codes.
 */
import { resolve as resolvePath } from 'node:path';
import type { Context } from '../context.js';
import { switchOfStep, wroteRouting } from '../timeline/results.js';
import { ExitCode, InvalidInputError, OperationError } from '../errors.js';
import { existsSync } from 'node:fs';
import { findPlaybook, listPlaybookFiles, loadPlaybookFile } from '../playbook/load.js';
import { bundledPlaybooksDir, findPlaybookOrBundled } from '../playbook/bundled.js';
import { INCIDENT_STATUSES, SEVERITIES, type IncidentStatus, type Severity } from '../playbook/schema.js';
import { startIncident, type RunReport } from '../engine/run.js';
import { withInterrupt } from '../interrupt.js';
import { resumeIncident, fileSha256 } from '../engine/resume.js';
import type { IncidentState } from '../timeline/replay.js';
import type { IncidentAppender } from '../store/store.js';
import { cancelledError, recordMilestone, recordStatusChange } from '../timeline/status.js';
import { parseVars, type Answers } from '../ui/answers.js';
import { unattendedNotice } from '../ui/unattended.js';
import type { HealthSnapshot } from '../providers/health.js';
import { readAnswersFile } from '../ui/answers-file.js';
import { createInquirerPrompter } from '../ui/inquirer.js';
import { showIncident } from './incident-show.js';
import { resolveIncidentId } from './incident-id.js';
import { overlapCheck } from './incident-overlap.js';

export interface StartOptions {
  playbook?: string;
  title?: string;
  severity?: string;
  var?: string[];
  answers?: string;
  detectedAt?: string;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export interface ResumeOptions {
  yes?: boolean;
  json?: boolean;
  var?: string[];
}

export async function start(ctx: Context, opts: StartOptions): Promise<void> {
  const severity = checkSeverity(opts.severity);
  const answers = parseVars(opts.var);
  if (opts.answers) readAnswersFile(resolvePath(ctx.cwd, opts.answers), answers);
  const detectedAt = parseDetectedAt(opts.detectedAt, ctx.clock.now());
  const loaded = ctx.config();
  if (ctx.unattendedReason) ctx.out.info(unattendedNotice(ctx.unattendedReason, ctx.yes));
  const { pb, suggested } = await choosePlaybook(ctx, loaded.playbooksDir, opts.playbook, answers);
  const report = await withInterrupt((signal) =>
    startIncident({
      ctx,
      suggested,
      playbook: pb.playbook,
      playbookFile: pb.file,
      playbookSha256: fileSha256(pb.file),
      answers,
      title: opts.title,
      severity,
      detectedAt,
      signal,
      beforeOpen: overlapCheck(ctx, pb.playbook.id),
    }),
  );
  finish(ctx, report);
}

/** Resume an incident; without an id, the only one waiting for a resume (several or none: exit 2 listing them). */
export async function resume(ctx: Context, idArg: string | undefined, opts: ResumeOptions = {}): Promise<void> {
  const answers = parseVars(opts.var);
  const id =
    idArg === undefined ? await (await import('./incident-list.js')).onlyWaitingIncident(ctx) : await resolveIncidentId(ctx, idArg);
  const before = (await (await ctx.store()).replay(id)).state;
  if (before.status === 'cancelled') throw cancelledError(before); // its steps must not act any more
  const report = await withInterrupt((signal) => resumeIncident({ ctx, id, answers, signal }));
  finish(ctx, report);
}

/** Print the outcome (JSON or a summary line), then throw the stop error for the entry to report. */
function finish(ctx: Context, report: RunReport): void {
  const s = report.state;
  const failed = s.step_order.filter((id) => s.steps[id]!.status === 'failed');
  // a run that went on past failed steps (on_failure: continue) still ends with exit 1, so scripts notice
  const exitCode = report.error ? report.exitCode : report.outcome === 'failed' ? ExitCode.failed : report.exitCode;
  if (ctx.out.jsonMode) {
    const steps: Record<string, unknown> = {};
    for (const id of s.step_order) {
      const st = s.steps[id]!;
      steps[id] = {
        outcome: st.status,
        attempts: st.attempts,
        ...(st.reason ? { reason: st.reason } : {}),
        ...(st.result ? { result: st.result } : {}),
      };
    }
    ctx.out.json({
      incident: report.incident,
      status: s.status,
      outcome: report.outcome,
      dry_run: s.dry_run,
      steps,
      milestones: s.milestones,
      exit_code: exitCode,
    });
  } else if (!report.error) {
    const c = ctx.out.color;
    const verdict = report.outcome === 'ok' ? c.green('finished') : c.yellow('finished with failed steps');
    ctx.out.line(`incident ${report.incident} ${verdict}; status ${s.status}${s.dry_run ? c.yellow(' [dry run]') : ''}`);
    ctx.out.line(c.dim(`the story so far: payctl incident show ${report.incident}`));
  }
  if (report.error) throw report.error;
  if (exitCode === ExitCode.failed) {
    throw new OperationError(
      `the playbook ran to the end, but ${failed.length === 1 ? 'step' : 'steps'} ${failed.join(', ')} failed`,
      `payctl incident show ${report.incident} has the details (on_failure: continue let the run go on)`,
    );
  }
}

function checkSeverity(sev: string | undefined): Severity | undefined {
  if (sev === undefined) return undefined;
  if (!(SEVERITIES as readonly string[]).includes(sev)) {
    throw new InvalidInputError(`--severity "${sev}" is not one of ${SEVERITIES.join(', ')}`, 'sev1 is the most severe');
  }
  return sev as Severity;
}

function parseDetectedAt(text: string | undefined, now: Date): Date | undefined {
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new InvalidInputError(`--detected-at "${text}" is not a time`, 'write an ISO time, e.g. 2026-11-26T14:05:00Z');
  if (t > now.getTime() + 60_000) throw new InvalidInputError(`--detected-at ${text} is in the future`);
  return new Date(t);
}

/**
 * The playbook to run, and the input values payctl infers for it. With a
 * person and no --playbook: a quick check (status pages, success rate, decline
 * codes) ranks the playbooks by their triggers, the best match first with why.
 * With --playbook, the check runs only to pre-fill the provider and backup.
 */
async function choosePlaybook(ctx: Context, configured: string, id: string | undefined, answers: Answers) {
  if (id) {
    const pb = findPlaybookOrBundled(configured, id, ctx.cwd);
    const wants = ['provider', 'backup'].some((n) => pb.playbook.inputs?.[n] && answers.values[n] === undefined);
    const snap = ctx.canPrompt && wants ? await quickCheck(ctx) : undefined;
    const { inferInputs } = await import('../engine/inferred-inputs.js');
    return { pb, suggested: snap ? inferInputs(ctx.config().config, snap, pb.playbook) : undefined };
  }
  // the configured directory, or the shipped playbooks when it has none
  let dir = configured;
  let known = loadedPlaybooks(dir);
  if (!known.length && existsSync(bundledPlaybooksDir())) {
    dir = bundledPlaybooksDir();
    known = loadedPlaybooks(dir);
  }
  if (!known.length) throw new InvalidInputError(`no playbooks in ${configured}`, 'create one in playbooks/, or run payctl init');
  if (!ctx.canPrompt) {
    throw new InvalidInputError(
      'which playbook? there is no person to ask',
      `pass --playbook <id>; known: ${known.map((l) => l.playbook.id).join(', ')} (payctl check --start-incident picks by the playbooks' triggers)`,
    );
  }
  const snap = await quickCheck(ctx);
  const { rankPlaybooks } = await import('./playbook-ranking.js');
  const ranked = snap
    ? rankPlaybooks(ctx.config().config, snap, known, ctx.clock.now())
    : known.map((entry) => ({ entry, why: undefined, match: undefined }));
  if (snap && !ranked[0]?.match)
    ctx.out.info(
      `no playbook's triggers match what payctl sees now (${snap.healthy ? 'all healthy' : snap.problems.join('; ')}); pick one`,
    );
  else if (ranked[0]?.match) ctx.out.info(`${ranked[0].entry.playbook.id} fits what payctl sees now: ${ranked[0].why}`);
  const prompter = createInquirerPrompter({ out: ctx.out, input: ctx.stdin, output: ctx.streams.stdout });
  const picked = await prompter.select(
    'Which playbook?',
    ranked.map((r) => ({
      value: r.entry.file,
      name: `${r.entry.playbook.title} (${r.entry.playbook.id}, ${r.entry.playbook.severity})${r.why ? `: ${r.why}` : ''}`,
      description: r.entry.playbook.description,
    })),
  );
  const pb = findPlaybook(dir, picked, ctx.cwd);
  const chosen = ranked.find((r) => r.entry.file === picked);
  const { inferInputs } = await import('../engine/inferred-inputs.js');
  return { pb, suggested: snap ? inferInputs(ctx.config().config, snap, pb.playbook, chosen?.match?.provider) : undefined };
}

/** The health check the picker ranks by; undefined (and said) when it cannot run, so the picker still works. */
async function quickCheck(ctx: Context): Promise<HealthSnapshot | undefined> {
  const loaded = ctx.config();
  if (Object.keys(loaded.config.providers).length === 0) return undefined;
  const { checkHealth } = await import('../providers/health.js');
  const { httpClientFor } = await import('../providers/http.js');
  try {
    return await checkHealth({
      config: loaded.config,
      configDir: loaded.dir,
      http: httpClientFor(ctx, { dryRun: false }),
      env: ctx.env,
      now: () => ctx.clock.now(),
    });
  } catch (e) {
    ctx.out.warn(`could not check the providers to suggest a playbook: ${(e as Error).message}`);
    return undefined;
  }
}

function loadedPlaybooks(dir: string) {
  return listPlaybookFiles(dir)
    .map((f) => loadPlaybookFile(f))
    .filter((l): l is typeof l & { playbook: NonNullable<typeof l.playbook> } => Boolean(l.playbook));
}

export async function show(ctx: Context, idArg: string): Promise<void> {
  await showIncident(ctx, await resolveIncidentId(ctx, idArg));
}

async function appendAsResponder(ctx: Context, id: string, body: (w: IncidentAppender, st: IncidentState) => Promise<void>): Promise<void> {
  const store = await ctx.store();
  const { state } = await store.replay(id);
  const w = await store.appender(id, { now: () => ctx.clock.now() });
  try {
    await body(w, state);
  } finally {
    await w.close();
  }
}

/** One event through an appender. */
async function appendOne(w: IncidentAppender, ev: Parameters<IncidentAppender['appendAll']>[0][number]) {
  const [e] = await w.appendAll([ev]);
  return e!;
}

export async function note(ctx: Context, idArg: string, text: string): Promise<void> {
  if (!text?.trim()) throw new InvalidInputError('the note is empty', 'payctl incident note <id> "what happened"');
  const id = await resolveIncidentId(ctx, idArg);
  await appendAsResponder(ctx, id, async (w, st) => {
    await appendOne(w, { type: 'note_added', data: { text } });
    await recordMilestone((ev) => appendOne(w, ev), st, 'acknowledged');
  });
  ctx.out.line(`note added to ${id}`);
}

export async function status(ctx: Context, idArg: string, to: string): Promise<void> {
  if (!(INCIDENT_STATUSES as readonly string[]).includes(to)) {
    throw new InvalidInputError(
      `"${to}" is not a status`,
      `use one of: ${INCIDENT_STATUSES.join(', ')}${to === 'cancelled' ? ' (an incident opened by mistake: payctl incident cancel <id> --reason "…")' : ''}`,
    );
  }
  const id = await resolveIncidentId(ctx, idArg);
  let changed = false;
  let from = '';
  await appendAsResponder(ctx, id, async (w, st) => {
    from = st.status;
    if (st.status === 'cancelled') throw cancelledError(st); // before anything is appended to it
    await recordMilestone((ev) => appendOne(w, ev), st, 'acknowledged');
    changed = await recordStatusChange((ev) => appendOne(w, ev), st, to as IncidentStatus);
  });
  ctx.out.line(changed ? `${id}: ${from} → ${to}` : `${id} is already ${to}`);
}

export async function resolve(ctx: Context, idArg: string): Promise<void> {
  const id = await resolveIncidentId(ctx, idArg);
  await status(ctx, id, 'resolved');
  const primary = ctx.config().config.routing?.primary;
  const state = (await (await ctx.store()).replay(id)).state;
  await closePublicIncidents(ctx, state);
  const left = trafficLeftAway(state, primary);
  if (left) {
    ctx.out.warn(
      `this incident moved traffic away${primary ? ` from ${primary}` : ''} and its last switch (step ${left.step}) left it on ${left.on}: ` +
        `once ${primary ?? 'the primary'} is healthy, run payctl failback --incident ${id} (it is recorded in this incident)`,
    );
  }
}

/** Resolving the payctl incident resolves the public status-page incidents it created (none open: nothing is written). */
async function closePublicIncidents(ctx: Context, state: IncidentState): Promise<void> {
  if (state.dry_run) return;
  const { resolvePublicIncidents, statuspageChannelsUsed } = await import('../providers/channels.js');
  if (statuspageChannelsUsed(state).length === 0) return;
  const { httpClientFor } = await import('../providers/http.js');
  const results = await resolvePublicIncidents(
    { config: ctx.config().config, http: httpClientFor(ctx, { dryRun: false }), env: ctx.env },
    state,
  );
  for (const r of results) {
    if (r.error)
      ctx.out.warn(
        `${r.channel}: the public incident created for ${state.id} could not be resolved (${r.error}); resolve it on the status page`,
      );
    else if (r.resolved?.length) ctx.out.line(`${r.channel}: resolved public incident ${r.resolved.join(', ')}`);
  }
}

/**
 * Where the incident's switches left traffic, when that is not the primary:
 * only for an incident that moved traffic away itself. The last real switch
 * counts (one that found traffic already there too), a finished canary too;
 * dry runs and rolled-back attempts do not.
 */
export function trafficLeftAway(st: IncidentState, primary: string | undefined): { step: string; on: string } | undefined {
  const switches = st.step_order.flatMap((id) => {
    const s = st.steps[id];
    const r = s?.status === 'ok' ? switchOfStep(s.type, s.result) : undefined;
    return r && !r.dry_run && !r.rolled_back ? [{ step: id, r }] : [];
  });
  if (!switches.some(({ r }) => r.failback === false && wroteRouting(r))) return undefined;
  const last = switches.at(-1)!;
  const on = typeof last.r.to === 'string' ? last.r.to : undefined;
  if (!on || last.r.failback === true || on === primary) return undefined;
  return { step: last.step, on };
}

export async function verify(ctx: Context, idArg: string): Promise<void> {
  const id = await resolveIncidentId(ctx, idArg);
  const store = await ctx.store();
  const r = await store.verify(id);
  const file = store.where(id);
  if (ctx.out.jsonMode) ctx.out.json({ incident: id, file, store: store.kind, ...r });
  else {
    for (const w of r.warnings) ctx.out.warn(`${store.where(id, w.line)}: ${w.message}`);
    if (r.ok) ctx.out.line(`${id}: ${r.events} events, hash chain intact`);
  }
  if (!r.ok && r.events === 0)
    throw new OperationError(`${file}: ${r.message}`, `nothing was recorded in it; remove it once you have checked it`);
  if (!r.ok)
    throw new OperationError(
      `${store.where(id, r.firstBadLine)}: ${r.message}`,
      'the timeline was changed after it was written; keep it as evidence',
    );
}

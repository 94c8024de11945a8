/**
 * A game day: run a playbook unattended against the sandbox with its fault
 * injected, then check the playbook's `drill.expect` against the timeline and
 * what the sandbox saw. `drill.scenarios` are other drills of the same
 * playbook (their own fault and expectations, vars merged over the drill's),
 * run one at a time by name.
 */
import { isOpen } from '../timeline/replay.js';
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { findPlaybookOrBundled } from '../playbook/bundled.js';
import { startIncident, type RunReport } from '../engine/run.js';
import type { LoadedPlaybook } from '../playbook/load.js';
import { fileSha256 } from '../engine/resume.js';
import { emptyAnswers, type Answers } from '../ui/answers.js';
import type { Playbook } from '../playbook/schema.js';
import { closeIncident } from '../engine/session.js';
import { checkExpectations, type ExpectationResult } from './expectations.js';
import { runOnSandbox } from './on-sandbox.js';
import { resolveDrill } from './resolve.js';

export interface DrillReport {
  playbook: string;
  /** The scenario run (drill.scenarios), absent for the drill itself. */
  scenario?: string;
  fault: string;
  incident: string;
  passed: boolean;
  expectations: ExpectationResult[];
  /** From detection to the first mitigation, or null when never mitigated. */
  time_to_mitigate_ms: number | null;
  duration_ms: number;
  /** How the playbook run ended: ok, failed (a step failed, run went on), stopped. */
  run_outcome: string;
  run_error?: string;
  started_at: string;
}

/** A drill's `vars:` as answers to the playbook's inputs and input/choose steps. */
export function drillAnswers(vars: Record<string, string | number | boolean> | undefined): Answers {
  const answers = emptyAnswers();
  for (const [k, v] of Object.entries(vars ?? {})) {
    answers.values[k] = v;
    answers.from[k] = 'answers';
  }
  return answers;
}

/** Run a playbook unattended-style on the sandbox context, answered by its drill's vars (short waits). */
export function runWithDrillAnswers(
  ctx: Context,
  pb: LoadedPlaybook & { playbook: Playbook },
  title: string,
  source: string,
  vars = pb.playbook.drill?.vars,
): Promise<RunReport> {
  return startIncident({
    ctx,
    playbook: pb.playbook,
    playbookFile: pb.file,
    playbookSha256: fileSha256(pb.file),
    answers: drillAnswers(vars),
    title,
    source,
    // nobody else is there: the rehearsal's stand-in approves second-person gates, recorded as its own actor
    standInApprover: `${source} (second person)`,
  });
}

/**
 * A drill's or the demo's incident that the playbook left open is closed once
 * it has been judged: it ran against a sandbox that is gone, so it is never
 * resumed (timeline/rehearsal.ts), and open it would sit among real incidents.
 */
export async function closeRehearsal(ctx: Context, report: RunReport, source: 'drill' | 'demo'): Promise<void> {
  if (!isOpen(report.state)) return;
  const why = report.error?.message ?? (report.outcome === 'failed' ? 'a step failed' : report.outcome);
  await closeIncident(
    await ctx.store(),
    report.incident,
    ctx.clock,
    `the ${source} ended before its playbook did (${why}); its sandbox is gone, so the incident is closed, not resumed`,
  );
}

export interface DrillRunOptions {
  /** A fault to inject instead of the drill's. */
  fault?: string;
  /** One of drill.scenarios instead of the drill itself. */
  scenario?: string;
}

export async function runDrill(user: Context, playbookId: string, o: DrillRunOptions = {}): Promise<DrillReport> {
  const mine = user.config();
  const pb = findPlaybookOrBundled(mine.playbooksDir, playbookId, user.cwd);
  const spec = pb.playbook.drill;
  if (!spec) {
    throw new InvalidInputError(
      `playbook ${pb.playbook.id} has no drill: section`,
      `add one (see docs/playbooks.md, "Drills"), e.g.\n  drill:\n    fault: stripe:down:6s\n    expect: { traffic_on: adyen, within: 30s }`,
    );
  }
  const drill = resolveDrill(pb.playbook.id, spec, o.scenario);
  const fault = o.fault ?? drill.fault;
  const started = Date.now();
  const startedAt = new Date().toISOString();
  const on = await runOnSandbox(user, {
    fault,
    ordersPerMinute: drill.ordersPerMinute,
    yes: true,
    json: user.out.jsonMode,
    canPrompt: false,
  });
  try {
    const title = `Drill: ${pb.playbook.title}${drill.scenario ? `, ${drill.scenario}` : ''} (${fault})`;
    const report = await runWithDrillAnswers(on.ctx, pb, title, 'drill', drill.vars);
    const state = report.state;
    const results = checkExpectations(drill.expect, state, {
      requests: on.sandbox.requests(),
      lowestSuccessRate: (from, to) => on.sandbox.lowestSuccessRate(from, to),
    });
    await closeRehearsal(on.ctx, report, 'drill'); // after it is judged: closing it records the resolved milestone
    const { detected, mitigated } = state.milestones;
    return {
      playbook: pb.playbook.id,
      ...(drill.scenario ? { scenario: drill.scenario } : {}),
      fault,
      incident: report.incident,
      passed: results.length > 0 && results.every((r) => r.pass),
      expectations: results,
      time_to_mitigate_ms: detected && mitigated ? Date.parse(mitigated) - Date.parse(detected) : null,
      duration_ms: Date.now() - started,
      run_outcome: report.outcome,
      ...(report.error ? { run_error: report.error.message } : {}),
      started_at: startedAt,
    };
  } finally {
    await on.close();
  }
}

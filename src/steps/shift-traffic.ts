/**
 * shift_traffic: move traffic to a provider in stages (a canary; by default a
 * failback to routing.primary). Each stage is a verified switch of a share
 * (providers/switch.ts, under the routing lock), recorded as a traffic_stage
 * event, then held while the target's own success rate is read
 * (providers/canary.ts). A stage that does not hold rolls the routing back to
 * the last good split, records why, and fails the step. A resumed step goes
 * on from the last stage recorded under its idempotency key: a switched stage
 * is read again (nothing written when the split is already there) and held
 * again; a held one is not repeated. A new canary starts at the last stage
 * whose share the target already has, and holds and judges it without a
 * switch (never moving traffic away from its target). The step's timeout
 * (by default its stages' holds, steps/shift-traffic-budget.ts) or an error
 * mid-stage stops it like a halt: rolled back to the last good split.
 */
import { InvalidInputError, messageOf } from '../errors.js';
import type { StepHandler, StepRun } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import { formatElapsed, requireDuration } from '../duration.js';
import { httpClientFor } from '../providers/http.js';
import { canaryMetricsProblem, type MetricsDeps } from '../providers/metrics.js';
import { holdStage } from '../providers/canary.js';
import { checkShare, switchTraffic, type SwitchDeps, type SwitchOutcome } from '../providers/switch.js';
import { createRouting, readSplit } from '../providers/routing/index.js';
import { describeSplit, shareOf, type Split } from '../providers/routing/split.js';
import type { EventDataMap } from '../timeline/events.js';
import { failedFrom } from './failure.js';
import { halt } from './shift-traffic-halt.js';

type Stage = EventDataMap['traffic_stage'];
const DEFAULT_MIN_ATTEMPTS = 100;

/** "10,25,50,100" or [10, 25, 50, 100] as increasing whole percents ending anywhere up to 100. */
export function parseStages(value: unknown, where: string): number[] {
  const list = Array.isArray(value)
    ? value
    : String(value)
        .split(/[\s,]+/)
        .filter(Boolean);
  const out = list.map(Number);
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 1 || n > 100) || out.some((n, i) => i > 0 && n <= out[i - 1]!)) {
    throw new InvalidInputError(
      `${where}: stages must be increasing whole percents from 1 to 100, got ${JSON.stringify(value)}`,
      'e.g. 10,25,50,100',
    );
  }
  return out;
}

function numberField(value: unknown, where: string, fallback: number, check: (n: number) => boolean, hint: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new InvalidInputError(`${where} is ${JSON.stringify(value)}: ${hint}`);
  return n;
}

export const shift_traffic: StepHandler<StepOf<'shift_traffic'>> = async (run) => {
  const loaded = run.ctx.config();
  const config = loaded.config;
  const id = `step ${run.step.id}`;
  // bad input stops the run (exit 2) before anything is read or written
  const to = run.step.to || config.routing?.primary;
  if (!to) throw new InvalidInputError(`${id}: no provider to move traffic to`, 'give to:, or set routing.primary in the config');
  const stages = parseStages(run.step.stages, `${id}: stages`);
  const holdMs = requireDuration(run.step.hold, `${id}: hold`, 120_000);
  const minRate = numberField(
    run.step.min_success_rate,
    `${id}: min_success_rate`,
    config.thresholds.success_rate,
    (n) => n >= 0 && n <= 1,
    'a fraction from 0 to 1, e.g. 0.95',
  );
  const minAttempts = numberField(
    run.step.min_attempts,
    `${id}: min_attempts`,
    DEFAULT_MIN_ATTEMPTS,
    (n) => Number.isInteger(n) && n >= 0,
    'a whole number of payments',
  );
  for (const s of stages) checkShare(config, s);
  const metricsProblem = canaryMetricsProblem(config, minAttempts);
  if (metricsProblem) throw new InvalidInputError(`${id}: ${metricsProblem}`, 'see docs/providers.md, "Shares and canary failback"');

  try {
    const http = httpClientFor(run.ctx, { dryRun: run.dryRun, log: run.log });
    const routing = await createRouting({ config, http, env: run.ctx.env, dryRun: run.dryRun, log: run.log, timeoutMs: http.timeoutMs });
    const switchDeps: SwitchDeps = {
      config,
      http,
      env: run.ctx.env,
      log: run.log,
      prompter: run.prompter,
      signal: run.signal,
      routing,
      locks: (await run.ctx.store()).locks,
      incident: run.incident.id,
    };
    const metrics: MetricsDeps = {
      config,
      configDir: loaded.dir,
      http: http.withDryRun(false),
      env: run.ctx.env,
      now: () => run.ctx.clock.now(),
    };
    return await runStages(run, {
      to,
      stages,
      holdMs,
      minRate,
      minAttempts,
      switchDeps,
      metrics,
      readStart: () => readSplit(routing, run.signal),
    });
  } catch (e) {
    return failedFrom(e);
  }
};

export interface Plan {
  to: string;
  stages: number[];
  holdMs: number;
  minRate: number;
  minAttempts: number;
  switchDeps: SwitchDeps;
  metrics: MetricsDeps;
  readStart: () => Promise<Split>;
}

async function runStages(run: StepRun<StepOf<'shift_traffic'>>, p: Plan) {
  const key = run.idempotencyKey;
  const recorded = recordedStages(run, key);
  const start = recorded[0]?.start ?? (await p.readStart());
  const done: Stage[] = recorded.filter((s) => s.result === 'held');
  let lastGood: Split = done.length ? done[done.length - 1]!.split! : start;
  const last = recorded[recorded.length - 1];
  const already = shareOf(start, p.to);
  if (!last && already >= p.stages[p.stages.length - 1]!) {
    return {
      outcome: 'ok' as const,
      result: { to: p.to, stages: p.stages, start, results: [], unchanged: true, completed: true, verified: true, split_after: start },
      message: `${p.to} already receives ${already}% of traffic; no stage to move`,
    };
  }
  // only a stage recorded as held is behind the canary; a share the target already has is still held and judged
  const first = last ? (last.result === 'held' ? last.stage + 1 : last.stage) : lastStageAtOrBelow(p.stages, already);
  if (first > 0) run.log(`continuing the canary at stage ${first + 1} of ${p.stages.length} (${p.stages[first] ?? 100}% to ${p.to})`);
  const summary = () => ({
    to: p.to,
    stages: p.stages,
    hold_ms: p.holdMs,
    min_success_rate: p.minRate,
    min_attempts: p.minAttempts,
    start,
    results: run.incident.state().steps[run.step.id]?.stages?.filter((s) => s.key === key) ?? [],
  });
  // the step's timeout (engine/execute.ts hands it over): stop the stage, then roll back
  const deadline = new AbortController();
  const timer =
    run.timeoutMs !== undefined
      ? setTimeout(() => deadline.abort(new Error(`timed out after ${formatElapsed(run.timeoutMs!)}`)), run.timeoutMs)
      : undefined;
  const signal = AbortSignal.any([run.signal, deadline.signal]);
  let i = first;
  let split: Split | undefined;
  try {
    for (; i < p.stages.length; i++) {
      const share = p.stages[i]!;
      split = undefined;
      const current = i === first ? (last?.split ?? start) : lastGood;
      if (shareOf(current, p.to) > share) {
        // never moved down: the stage is held at the larger share the target has
        split = current;
      } else {
        const moved = await moveTo(run, p, share, `${key}-${share}`, signal);
        if (run.dryRun) continue;
        if (!moved.ok) {
          // the stage's own switch failed (refused, or not verified and rolled back by the switch): traffic is where it was
          return {
            outcome: 'failed' as const,
            error: `canary stage ${i + 1} (${share}% to ${p.to}) could not be set: ${moved.error}`,
            retryable: false,
            result: { ...summary(), halted_at: i, split_after: moved.result?.split_after ?? lastGood },
          };
        }
        split = moved.result.split_after ?? lastGood;
      }
      if (run.dryRun) continue;
      if (!(last && last.stage === i && last.result === 'switched')) {
        await run.incident.append({
          type: 'traffic_stage',
          step: run.step.id,
          data: { key, stage: i, share, to: p.to, result: 'switched', split, ...(!last && i === first ? { start } : {}) },
        });
      }
      run.log(
        `stage ${i + 1}/${p.stages.length}: ${describeSplit(split)}; holding ${Math.round(p.holdMs / 1000)}s while reading ${p.to}'s success rate`,
      );
      const held = await holdStage(p.metrics, {
        provider: p.to,
        holdMs: p.holdMs,
        minRate: p.minRate,
        minAttempts: p.minAttempts,
        signal,
        log: run.log,
      });
      const reading = { success_rate: held.success_rate, attempts: held.attempts };
      if (held.ok) {
        await run.incident.append({
          type: 'traffic_stage',
          step: run.step.id,
          data: { key, stage: i, share, to: p.to, result: 'held', split, ...reading },
        });
        run.log(
          `stage ${i + 1} held: ${p.to} at ${((held.success_rate ?? 0) * 100).toFixed(1)}% over ${held.attempts === null ? '?' : Math.round(held.attempts)} payments`,
        );
        lastGood = split;
        continue;
      }
      return await halt(run, p, { i, split, lastGood, reason: held.reason ?? 'the stage did not hold', reading, summary });
    }
  } catch (e) {
    // Ctrl-C or a kill: the run is interrupted, and resuming goes on from the recorded stage
    if (run.signal.aborted || run.dryRun) throw e;
    // the step's timeout or an error mid-stage: like a halt, back to the last good split
    const reason = deadline.signal.aborted ? `${messageOf(deadline.signal.reason)} (the step's timeout)` : messageOf(e);
    return await halt(run, p, { i, split: split ?? lastGood, lastGood, reason, reading: {}, summary });
  } finally {
    if (timer) clearTimeout(timer);
  }
  if (run.dryRun)
    return {
      outcome: 'ok' as const,
      result: { ...summary(), dry_run: true, from: leaderOther(start, p.to) },
      message: `dry run: would move traffic to ${p.to} in stages ${p.stages.join(', ')}%`,
    };
  const final = p.stages[p.stages.length - 1]!;
  const failback = p.to === p.switchDeps.config.routing?.primary && final === 100;
  return {
    outcome: 'ok' as const,
    result: {
      ...summary(),
      completed: true,
      verified: true,
      failback,
      from: leaderOther(start, p.to),
      split_after: lastGood,
      share: final,
    },
    message: `canary complete: ${describeSplit(lastGood)}, each stage held at or above ${(p.minRate * 100).toFixed(1)}%`,
  };
}

/** The stage to start from: the last one the target already has (held again), else the first. */
function lastStageAtOrBelow(stages: number[], share: number): number {
  let at = 0;
  stages.forEach((s, i) => {
    if (s <= share) at = i;
  });
  return at;
}

function leaderOther(split: Split, to: string): string | null {
  return split.find((s) => s.provider !== to)?.provider ?? null;
}

function recordedStages(run: StepRun<StepOf<'shift_traffic'>>, key: string): Stage[] {
  const all = run.incident.state().steps[run.step.id]?.stages?.filter((s) => s.key === key) ?? [];
  // a halted attempt is over: a retry starts again from the routing as it is
  const halt = all.map((s) => s.result).lastIndexOf('halted');
  return halt >= 0 ? [] : all;
}

async function moveTo(
  run: StepRun<StepOf<'shift_traffic'>>,
  p: Plan,
  share: number,
  key: string,
  signal: AbortSignal,
): Promise<SwitchOutcome> {
  return switchTraffic({ ...p.switchDeps, signal }, { to: p.to, share, force: Boolean(run.step.force), key, dryRun: run.dryRun });
}

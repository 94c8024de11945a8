/**
 * wait: a fixed `duration`, or poll `until` (a condition) every `interval`
 * (default 30s) until it holds or `timeout` (default 10m) passes. Before each
 * evaluation the steps listed in `recheck` run again, so the condition sees
 * fresh results. Time and sleeping go through ctx.clock. In a dry run nothing
 * is waited for: the condition is evaluated once. A wait resumed after its run
 * was interrupted keeps the time it began: a 10m wait killed after 8m waits 2m
 * more, and an until whose timeout passed meanwhile is checked once more.
 *
 * What the screen shows reads as sentences: the condition by its `label:` (or
 * the step's title), never the until expression; a countdown line rewritten in
 * place on a terminal ("waiting 30m (29m 55s left)"); and the polls (with their
 * rechecks, which print nothing themselves) summed up in the step's one result
 * line with their count.
 */
import { isCI } from '../context.js';
import { formatDuration, requireDuration } from '../duration.js';
import type { StepHandler, StepResult, StepRun } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import { evalCondition } from '../template/engine.js';
import type { WaitResult } from '../timeline/results.js';
import { hasWidth } from '../ui/spinner.js';

const DEFAULT_TIMEOUT = 10 * 60_000;
const DEFAULT_INTERVAL = 30_000;

type WaitRun = StepRun<StepOf<'wait'>>;

export const wait: StepHandler<StepOf<'wait'>> = async (run) => {
  const { step } = run;
  const clock = run.ctx.clock;
  const resumed = run.resumedFrom && !run.dryRun ? run.resumedFrom.getTime() : undefined;
  const start = resumed ?? clock.now().getTime();
  if (step.message) run.log(step.message);
  if (resumed !== undefined)
    run.log(`continuing the wait begun ${formatDuration(clock.now().getTime() - resumed)} ago, before the run was interrupted`);
  if (!step.until) {
    const ms = requireDuration(step.duration, `step ${step.id}: duration`, 0);
    if (run.dryRun) return ok({ waited_ms: 0, dry_run: true }, `dry run: would wait ${formatDuration(ms)}`);
    const end = start + ms;
    if (end > clock.now().getTime()) await sleepWithCountdown(run, end, () => `waiting ${formatDuration(ms)} (${left(run, end)} left)`);
    return ok({ waited_ms: clock.now().getTime() - start }, `waited ${formatDuration(ms)}`);
  }
  const timeout = requireDuration(step.timeout, `step ${step.id}: timeout`, DEFAULT_TIMEOUT);
  const interval = Math.max(100, requireDuration(step.interval, `step ${step.id}: interval`, DEFAULT_INTERVAL));
  const what = step.label ? `waiting until ${step.label}: ` : '';
  const deadline = start + timeout;
  let checks = 0;
  let lastRecheck: string | undefined;
  const counted = () => `${checks} ${checks === 1 ? 'check' : 'checks'}${lastRecheck ? `; last: ${lastRecheck}` : ''}`;
  for (;;) {
    for (const id of step.recheck ?? []) {
      if (!run.rerunStep) break;
      lastRecheck = describe(await run.rerunStep(id));
    }
    checks++;
    const scope = run.currentScope ? run.currentScope() : run.scope;
    const holds = await evalCondition(step.until, scope, `step ${step.id}, until`);
    const waited = clock.now().getTime() - start;
    if (holds) return ok({ waited_ms: waited, checks }, `done after ${formatDuration(waited)} (${counted()})`);
    if (run.dryRun)
      return ok(
        { waited_ms: 0, checks, holds: false, dry_run: true },
        `dry run: not yet${step.label ? ` (${step.label})` : ''}; would wait up to ${formatDuration(timeout)}`,
      );
    if (waited >= timeout) {
      return {
        outcome: 'failed',
        error: `${step.label ? `gave up waiting until ${step.label}` : 'gave up'} after ${formatDuration(waited)} (${counted()})`,
        result: { waited_ms: waited, checks } satisfies WaitResult,
      };
    }
    if (checks === 1)
      run.log(
        `${step.label ? `waiting until ${step.label}` : step.title}: checking every ${formatDuration(interval)}, giving up after ${formatDuration(timeout)}`,
      );
    const next = Math.min(clock.now().getTime() + interval, deadline);
    await sleepWithCountdown(run, next, () => `${what}${counted()}, next in ${left(run, next)} (${left(run, deadline)} left)`);
  }
};

function ok(result: WaitResult & { dry_run?: boolean }, message: string): StepResult {
  return { outcome: 'ok', result: { ...result }, message };
}

function left(run: WaitRun, until: number): string {
  return formatDuration(Math.max(0, until - run.ctx.clock.now().getTime()));
}

/** A rechecked step's result in a few words, for the countdown and the summary. */
function describe(r: StepResult): string {
  if (r.outcome === 'failed') return `failed: ${r.error}`;
  if (r.outcome === 'skipped') return `skipped: ${r.reason}`;
  return r.message ?? 'ok';
}

/** Sleep on ctx.clock until `end`, in 1 s slices with a countdown line when stderr is a terminal with a width. */
async function sleepWithCountdown(run: WaitRun, end: number, line: () => string): Promise<void> {
  const clock = run.ctx.clock;
  const err = run.ctx.streams.stderr as { columns?: number; write(s: string): unknown };
  const tty = run.ctx.out.stderrIsTTY && !isCI(run.ctx.env) && hasWidth(err);
  try {
    for (;;) {
      const ms = end - clock.now().getTime();
      if (ms <= 0) break;
      if (tty) {
        // one line, rewritten in place: never wider than the terminal, or it would wrap and leave copies behind
        const width = err.columns ?? 80;
        const text = `⏳ ${run.step.title}: ${line()}`;
        err.write(`\r\x1b[2K${text.length >= width - 1 ? `${text.slice(0, Math.max(1, width - 2))}…` : text}`);
      }
      await clock.sleep(tty ? Math.min(1000, ms) : ms, run.signal);
    }
  } finally {
    if (tty) err.write('\r\x1b[2K');
  }
}

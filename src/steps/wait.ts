/**
 * wait: a fixed `duration`, or poll `until` (a condition) every `interval`
 * (default 30s) until it holds or `timeout` (default 10m) passes. Before each
 * evaluation the steps listed in `recheck` run again, so the condition sees
 * fresh results. Time and sleeping go through ctx.clock; a countdown is shown
 * on stderr when it is a terminal. In a dry run nothing is waited for: the
 * condition is evaluated once. A wait resumed after its run was interrupted
 * keeps the time it began: a 10m wait killed after 8m waits 2m more, and an
 * until whose timeout passed meanwhile is checked once more.
 */
import { isCI } from '../context.js';
import { formatDuration, requireDuration } from '../duration.js';
import type { StepHandler, StepRun } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import { evalCondition } from '../template/engine.js';

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
    if (run.dryRun) return { outcome: 'ok', result: { waited_ms: 0, dry_run: true }, message: `dry run: would wait ${formatDuration(ms)}` };
    const left = start + ms - clock.now().getTime();
    if (left > 0) await sleepWithCountdown(run, left, `waiting ${formatDuration(ms)}`);
    return { outcome: 'ok', result: { waited_ms: clock.now().getTime() - start } };
  }
  const timeout = requireDuration(step.timeout, `step ${step.id}: timeout`, DEFAULT_TIMEOUT);
  const interval = Math.max(100, requireDuration(step.interval, `step ${step.id}: interval`, DEFAULT_INTERVAL));
  let checks = 0;
  for (;;) {
    for (const id of step.recheck ?? []) {
      if (!run.rerunStep) break;
      await run.rerunStep(id);
    }
    checks++;
    const scope = run.currentScope ? run.currentScope() : run.scope;
    const holds = await evalCondition(step.until, scope, `step ${step.id}, until`);
    const waited = clock.now().getTime() - start;
    if (holds)
      return {
        outcome: 'ok',
        result: { waited_ms: waited, checks },
        message: `done after ${formatDuration(waited)} (${checks} ${checks === 1 ? 'check' : 'checks'})`,
      };
    if (run.dryRun)
      return {
        outcome: 'ok',
        result: { waited_ms: 0, checks, holds: false, dry_run: true },
        message: `dry run: ${step.until} is false now; would wait up to ${formatDuration(timeout)}`,
      };
    const left = timeout - waited;
    if (left <= 0) {
      return {
        outcome: 'failed',
        error: `${step.until} still false after ${formatDuration(waited)} (${checks} checks)`,
        result: { waited_ms: waited, checks },
      };
    }
    await sleepWithCountdown(run, Math.min(interval, left), `until ${step.until}: next check`, start + timeout);
  }
};

/** Sleep on ctx.clock, in 1 s slices with a countdown line when stderr is a terminal. */
async function sleepWithCountdown(run: WaitRun, ms: number, label: string, deadline?: number): Promise<void> {
  const clock = run.ctx.clock;
  const tty = run.ctx.out.stderrIsTTY && !isCI(run.ctx.env);
  const err = run.ctx.streams.stderr;
  const end = clock.now().getTime() + ms;
  try {
    for (;;) {
      const left = end - clock.now().getTime();
      if (left <= 0) break;
      if (tty) {
        const total = deadline ? `, gives up in ${formatDuration(deadline - clock.now().getTime())}` : '';
        // one line, rewritten in place: never wider than the terminal, or it would wrap and leave copies behind
        const width = (err as { columns?: number }).columns ?? 80;
        const line = `⏳ ${run.step.title}: ${label} in ${formatDuration(left)}${total}`;
        err.write(`\r\x1b[2K${line.length >= width - 3 ? line.slice(0, width - 5) + '…' : line}`);
      }
      await clock.sleep(tty ? Math.min(1000, left) : left, run.signal);
    }
  } finally {
    if (tty) err.write('\r\x1b[2K');
  }
}

/**
 * query_metrics: the payment success rate, or the decline-code breakdown, over
 * `window` (default 5m) from the configured source (Prometheus or a file).
 * NaN/no data is recorded as value null with a warning, not a failure.
 */
import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import { requireDuration } from '../duration.js';
import { httpClientFor } from '../providers/http.js';
import { readMetric } from '../providers/metrics.js';
import { failedFrom } from './failure.js';

export const query_metrics: StepHandler<StepOf<'query_metrics'>> = async (run) => {
  const loaded = run.ctx.config();
  const window = run.step.window ?? '5m';
  const windowMs = requireDuration(window, `step ${run.step.id}: window`, 300_000); // bad input stops the run (exit 2)
  try {
    const { warnings, ...result } = await readMetric(
      {
        config: loaded.config,
        configDir: loaded.dir,
        http: httpClientFor(run.ctx, { dryRun: run.dryRun, log: run.log }),
        env: run.ctx.env,
        now: () => run.ctx.clock.now(),
      },
      { metric: run.step.metric, window, windowMs, ...(run.step.provider ? { provider: run.step.provider } : {}) },
      run.signal,
    );
    for (const w of warnings ?? []) run.log(`warning: ${w}`);
    const threshold = loaded.config.thresholds.success_rate;
    const message =
      result.metric === 'success_rate'
        ? result.value === null
          ? 'success rate: no data'
          : `success rate ${(result.value * 100).toFixed(1)}% over ${window} (threshold ${(threshold * 100).toFixed(1)}%)`
        : `decline codes over ${window}: ${
            Object.entries(result.breakdown ?? {})
              .sort((a, b) => b[1] - a[1])
              .slice(0, 5)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || 'none'
          }`;
    // `percent` is for messages: "5.1%" reads better in a Slack update than 0.051
    const percent = result.metric === 'success_rate' && result.value !== null ? `${(result.value * 100).toFixed(1)}%` : undefined;
    // measured fine, but a reading below the threshold is not shown with a ✔
    const below = result.metric === 'success_rate' && result.value !== null && result.value < threshold;
    return {
      outcome: 'ok',
      result: { ...result, ...(percent ? { percent } : {}) },
      message,
      ...(below ? { warning: 'below the threshold' } : {}),
    };
  } catch (e) {
    return failedFrom(e);
  }
};

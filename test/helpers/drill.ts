/** A shipped playbook passes its own drill: run `payctl drill` as a user would and read its report. */
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsync } from './run-cli.js';
import { tempProject } from './sandbox-project.js';

/** Runs the playbook's drill (or one of its scenarios) in a new project; returns the report and the project directory. */
export async function expectDrillPasses(playbook: string, scenario?: string): Promise<{ json: any; dir: string }> {
  const dir = tempProject();
  const report = join(dir, 'report.json');
  const args = ['drill', playbook, ...(scenario ? ['--scenario', scenario] : []), '--report', report];
  const r = await runCliAsync(args, { cwd: dir, timeout: 120_000 });
  expect(r.stdout, r.stderr).toContain('PASSED');
  expect(r.code).toBe(0);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  expect(json.playbook).toBe(playbook);
  expect(json.scenario).toBe(scenario);
  expect(json.passed).toBe(true);
  expect(json.expectations.length).toBeGreaterThan(0);
  for (const e of json.expectations) expect(e, e.name).toMatchObject({ pass: true });
  return { json, dir };
}

/**
 * A shipped playbook's canary-halts drill scenario (the status page says stripe recovered while a
 * fifth of its payments still fail): it passes, and the timeline shows the canary halted at its
 * first stage on stripe's own success rate and rolled back, customers staying above the threshold.
 */
export async function expectCanaryHaltsAtFirstStage(playbook: string): Promise<void> {
  const { json, dir } = await expectDrillPasses(playbook, 'canary-halts');
  expect(json.fault).toMatch(/^stripe:early_recovery=\d+s$/);
  const byName = Object.fromEntries(json.expectations.map((e: { name: string }) => [e.name, e]));
  expect(byName.canary.observed).toMatch(/^canary halted: 10% halted at \d+\.\d%; rolled back to adyen 100%$/);
  // customers' overall rate during the halted stage, as the sandbox simulated it: 10% at ~80% + 90% at ~98.5%
  const lowest = Number(/lowest (\d+\.\d)%/.exec(byName.canary_customers_above.observed)?.[1]);
  expect(lowest).toBeGreaterThan(95);
  expect(lowest).toBeLessThan(98);

  // the timeline: the first stage switched, then halted on stripe's own success rate; nothing after it
  const shown = JSON.parse((await runCliAsync(['incident', 'show', json.incident, '--json'], { cwd: dir })).stdout);
  const stages = shown.events.filter((e: { type: string }) => e.type === 'traffic_stage').map((e: { data: any }) => e.data);
  expect(stages.map((s: { stage: number; result: string }) => `${s.stage}:${s.result}`)).toEqual(['0:switched', '0:halted']);
  const halted = stages[1];
  expect(halted).toMatchObject({ share: 10, to: 'stripe', rolled_back_to: [{ provider: 'adyen', percent: 100 }] });
  expect(halted.success_rate).toBeGreaterThan(0.7);
  expect(halted.success_rate).toBeLessThan(0.9);
  expect(halted.attempts).toBeGreaterThanOrEqual(5);
  expect(halted.reason).toMatch(/stripe's success rate .* is below 95\.0%/);
  // the status page had said operational before the canary began: the failback was not stopped by it
  const recheck = shown.events.findLast(
    (e: { type: string; step?: string }) => e.type === 'step_completed' && e.step === 'recheck_primary',
  );
  expect(recheck?.data?.result?.status).toBe('operational');
}

/** A shipped playbook passes its own drill: run `payctl drill` as a user would and read its report. */
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsync } from './run-cli.js';
import { tempProject } from './sandbox-project.js';

export async function expectDrillPasses(playbook: string): Promise<void> {
  const dir = tempProject();
  const report = join(dir, 'report.json');
  const r = await runCliAsync(['drill', playbook, '--report', report], { cwd: dir, timeout: 120_000 });
  expect(r.stdout, r.stderr).toContain('PASSED');
  expect(r.code).toBe(0);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  expect(json.playbook).toBe(playbook);
  expect(json.passed).toBe(true);
  expect(json.expectations.length).toBeGreaterThan(0);
  for (const e of json.expectations) expect(e, e.name).toMatchObject({ pass: true });
}

// Every shipped playbook passes its own drill (one file per playbook so vitest runs them side by side).
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsync } from '../helpers/run-cli.js';
import { tempProject } from '../helpers/sandbox-project.js';

it('payctl drill scheduled-maintenance passes every expectation', async () => {
  const dir = tempProject();
  const report = join(dir, 'report.json');
  const r = await runCliAsync(['drill', 'scheduled-maintenance', '--report', report], { cwd: dir, timeout: 120_000 });
  expect(r.stderr + r.stdout).toContain('PASSED');
  expect(r.code).toBe(0);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  expect(json.playbook).toBe('scheduled-maintenance');
  expect(json.passed).toBe(true);
  expect(json.expectations.length).toBeGreaterThan(0);
  for (const e of json.expectations) expect(e, e.name).toMatchObject({ pass: true });
}, 120_000);

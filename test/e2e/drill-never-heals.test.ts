// A drill whose fault never heals must report failure (exit 1), naming what did not happen.
import { expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsync } from '../helpers/run-cli.js';
import { tempProject } from '../helpers/sandbox-project.js';

it('fails when the processor never recovers: no failback, incident not resolved', async () => {
  const dir = tempProject();
  // the shipped drill waits 40 s for recovery; 4 s is enough to prove the point
  const file = join(dir, 'playbooks', 'processor-outage.yaml');
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('recovery_timeout: 40s');
  writeFileSync(file, text.replace('recovery_timeout: 40s', 'recovery_timeout: 4s'));
  const report = join(dir, 'report.json');
  const r = await runCliAsync(['drill', 'processor-outage', '--fault', 'stripe:down', '--report', report], { cwd: dir, timeout: 120_000 });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/drill processor-outage failed: .*failback/);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  expect(json.passed).toBe(false);
  expect(json.fault).toBe('stripe:down');
  const byName = Object.fromEntries(json.expectations.map((e: { name: string; pass: boolean }) => [e.name, e.pass]));
  expect(byName.traffic_on).toBe(true);
  expect(byName.failback).toBe(false);
  expect(byName.status).toBe(false);
  // judged, the drill's incident is closed: its sandbox is gone (a resume is refused: check-start-incident.test.ts)
  const shown = JSON.parse((await runCliAsync(['incident', 'show', json.incident, '--json'], { cwd: dir })).stdout);
  expect(shown.incident.status).toBe('resolved');
  const closed = shown.events.findLast((e: { type: string }) => e.type === 'status_changed');
  expect(closed.data).toMatchObject({ to: 'resolved' });
  expect(closed.data.message).toContain('the drill ended before its playbook did');
}, 120_000);

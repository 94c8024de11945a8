// The customer-facing status page incident ends resolved (components operational) when the resolved notice goes out,
// even though playbooks send that notice before closing the payctl incident.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsync } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

let p: SandboxProject;
beforeEach(async () => {
  p = await sandboxProject();
});
afterEach(async () => {
  await p.close();
});

it('customer-resolved closes the status page incident it opened', async () => {
  writeFileSync(
    join(p.dir, 'playbooks', 'notices.yaml'),
    [
      'id: notices',
      'title: Notices',
      'inputs:',
      '  provider: { prompt: Which processor?, default: stripe }',
      'steps:',
      '  - { id: ack, title: Acknowledge, type: notify, channels: [statuspage], template: customer-acknowledge }',
      '  - { id: fixed, title: Resolved notice, type: notify, channels: [statuspage], template: customer-resolved }',
      '',
    ].join('\n'),
  );
  const r = await runCliAsync(['incident', 'start', '--playbook', 'notices', '--yes'], { cwd: p.dir, env: p.env });
  expect(r.code, r.stderr).toBe(0);
  const incidents = (
    p.sandbox.state() as unknown as { statuspage: { incidents: { status: string; components?: Record<string, string> }[] } }
  ).statuspage.incidents;
  expect(incidents).toHaveLength(1); // created once, then updated
  expect(incidents[0]!.status).toBe('resolved');
  expect(Object.values(incidents[0]!.components ?? {})).toEqual(['operational']);
});

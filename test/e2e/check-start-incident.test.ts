// payctl check --start-incident picks the playbook whose triggers match, and never opens a second incident for it.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { join } from 'node:path';
import { TimelineWriter } from '../../src/timeline/writer.js';
import { runCliAsync } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

let p: SandboxProject;
beforeEach(async () => {
  p = await sandboxProject({ fault: 'stripe:down' });
});
afterEach(async () => {
  await p.close();
});

it('a Stripe outage starts processor-outage once; a second check points at the open incident', async () => {
  const run = (args: string[]) => runCliAsync(args, { cwd: p.dir, env: p.env });
  // unattended without --yes, the playbook runs up to its first approval gate (the failover) and stops there
  const first = await run(['check', '--start-incident']);
  expect(first.stderr).toContain('starting playbook processor-outage');
  expect(first.code).toBe(3);
  const incidents = JSON.parse((await run(['incident', 'list', '--json'])).stdout); // an array, newest first
  expect(incidents).toHaveLength(1);
  expect(incidents[0].playbook).toBe('processor-outage');
  // the failing provider came from the trigger, and the timeline says so
  const shown = JSON.parse((await run(['incident', 'show', incidents[0].id, '--json'])).stdout);
  const provider = shown.events.find(
    (e: { type: string; data: { name?: string } }) => e.type === 'input_answered' && e.data.name === 'provider',
  );
  expect(provider.data).toMatchObject({ value: 'stripe', from: 'trigger' });

  const second = await run(['check', '--start-incident']);
  expect(second.code).toBe(4);
  expect(second.stderr).toContain(`incident ${incidents[0].id} (processor-outage) is already open`);
  const again = JSON.parse((await run(['incident', 'list', '--json'])).stdout);
  expect(again).toHaveLength(1);
});

it('a demo or drill left open does not stand in for the real incident', async () => {
  const run = (args: string[]) => runCliAsync(args, { cwd: p.dir, env: p.env });
  // as an interrupted demo used to leave it: open, processor-outage, against a sandbox that is gone
  const id = '20261126-090000-dem0';
  const w = new TimelineWriter(join(p.dir, '.payctl', 'incidents', id, 'timeline.jsonl'), { actor: 'demo-user' });
  await w.append({
    type: 'incident_opened',
    data: { id, title: 'Demo: Stripe outage', severity: 'sev1', playbook: 'processor-outage', dry_run: false, source: 'demo' },
  });
  const r = await run(['check', '--start-incident']);
  expect(r.stderr).toContain('starting playbook processor-outage');
  expect(r.stderr).not.toContain('already open');
  const resumed = await run(['incident', 'resume', id, '--yes']);
  expect(resumed.code).toBe(2);
  expect(resumed.stderr).toContain(`incident ${id} was a demo against the built-in sandbox`);
  expect(resumed.stderr).toContain('run it again: payctl demo');
  // said even when its playbook is not to be found here
  const gone = '20261126-090500-dem1';
  const w2 = new TimelineWriter(join(p.dir, '.payctl', 'incidents', gone, 'timeline.jsonl'), { actor: 'demo-user' });
  await w2.append({
    type: 'incident_opened',
    data: { id: gone, title: 'Demo', severity: 'sev1', playbook: 'not-here', dry_run: false, source: 'demo' },
  });
  const again = await run(['incident', 'resume', gone, '--yes']);
  expect(again.code).toBe(2);
  expect(again.stderr).toContain(`incident ${gone} was a demo against the built-in sandbox`);
});

// A public status-page incident is created once per payctl incident, even when payctl is killed while the
// create is in flight (Statuspage has no idempotency keys), and resolving closes every one created for it
// (issue 10, item 8). The sandbox emulates the manage API with latency; the built payctl is killed for real.
// The incident ends resolved (components operational) when the resolved notice goes out, even though
// playbooks send that notice before closing the payctl incident.
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BIN, runCliAsync } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';
import { openIncident, recordStep, stepRun, testContext } from '../providers/helpers.js';
import { notify } from '../../src/steps/notify.js';
import type { StepOf } from '../../src/playbook/schema.js';

let p: SandboxProject;
beforeEach(async () => {
  p = await sandboxProject();
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
});
afterEach(async () => {
  await p.close();
});

type Managed = { id: string; status: string; metadata?: Record<string, Record<string, string>> };
const incidents = () => (p.sandbox.state() as unknown as { statuspage: { incidents: Managed[] } }).statuspage.incidents;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('killed while the create is in flight: the resume finds the incident it created instead of opening a second', async () => {
  p.sandbox.injectFault('statuspage:latency=1500ms');
  const child = spawn(process.execPath, [BIN, 'incident', 'start', '--playbook', 'notices', '--yes'], {
    cwd: p.dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', PAYCTL_ACTOR: 'test-runner', ...p.env },
    stdio: 'ignore',
  });
  const posted = () => p.sandbox.requests().some((r) => r.method === 'POST' && r.path.includes('/statuspage/'));
  for (let i = 0; i < 1200 && !posted(); i++) await wait(25); // up to 30 s: a loaded machine starts payctl slowly
  expect(posted()).toBe(true);
  const exited = new Promise((r) => child.on('close', r));
  child.kill('SIGKILL');
  await exited;
  for (let i = 0; i < 100 && incidents().length === 0; i++) await wait(50); // the page still takes the create
  expect(incidents()).toHaveLength(1);
  p.sandbox.heal();

  const id = readdirSync(join(p.dir, '.payctl', 'incidents'))[0]!;
  expect(incidents()[0]!.metadata).toEqual({ payctl: { incident_id: id } });
  const resumed = await runCliAsync(['incident', 'resume', id, '--yes'], { cwd: p.dir, env: p.env });
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stdout + resumed.stderr).toContain('found (an earlier attempt created it) and updated');
  expect(incidents()).toHaveLength(1);
  expect(incidents()[0]!.status).toBe('resolved');
});

it('resolving closes every public incident created for the payctl incident, and only those', async () => {
  const { ctx } = testContext(p.dir, p.env);
  const session = await openIncident(ctx);
  const step = (id: string, template: string) =>
    ({ id, title: id, type: 'notify', channels: ['statuspage'], template }) as StepOf<'notify'>;
  const ackRun = stepRun(ctx, session, step('ack', 'customer-acknowledge'), { inputs: { provider: 'stripe' } });
  const ack = await notify(ackRun);
  expect(ack.outcome, JSON.stringify(ack)).toBe('ok');
  await recordStep(session, ackRun, ack);
  expect(incidents()).toHaveLength(1);

  // an older build's retry left a duplicate for this incident; another payctl incident has its own
  const api = `${p.sandbox.url}/statuspage/v1/pages/sandbox-page/incidents`;
  const headers = { authorization: `OAuth ${p.env.SANDBOX_STATUSPAGE_KEY}`, 'content-type': 'application/json' };
  for (const marker of [session.id, 'INC-SOMEONE-ELSE']) {
    const r = await fetch(api, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        incident: { name: 'Payments', status: 'investigating', body: 'x', metadata: { payctl: { incident_id: marker } } },
      }),
    });
    expect(r.status).toBe(201);
  }

  const fixed = await notify(stepRun(ctx, session, step('fixed', 'customer-resolved'), { inputs: { provider: 'stripe' } }));
  expect(fixed.outcome, JSON.stringify(fixed)).toBe('ok');
  const all = incidents();
  const ours = all.filter((i) => i.metadata?.payctl?.incident_id === session.id);
  expect(ours.map((i) => i.status)).toEqual(['resolved', 'resolved']);
  expect(all.filter((i) => i.metadata?.payctl?.incident_id !== session.id).map((i) => i.status)).toEqual(['investigating']);
  // the duplicate is closed quietly: subscribers are not told twice
  const dupUpdates = (
    p.sandbox.state() as unknown as {
      statuspage: { incidents: { id: string; incident_updates: { deliver_notifications: boolean; status: string }[] }[] };
    }
  ).statuspage.incidents.find((i) => i.id === ours[1]!.id)!.incident_updates;
  expect(dupUpdates[0]).toMatchObject({ status: 'resolved', deliver_notifications: false });
});

it('payctl incident resolve resolves the public incident it created, components back to operational', async () => {
  writeFileSync(
    join(p.dir, 'playbooks', 'ack.yaml'),
    'id: ack\ntitle: Ack\ninputs:\n  provider: { prompt: Which?, default: stripe }\nsteps:\n  - { id: ack, title: Acknowledge, type: notify, channels: [statuspage], template: customer-acknowledge }\n',
  );
  const started = await runCliAsync(['incident', 'start', '--playbook', 'ack', '--yes'], { cwd: p.dir, env: p.env });
  expect(started.code, started.stderr).toBe(0);
  const id = readdirSync(join(p.dir, '.payctl', 'incidents'))[0]!;
  const before = incidents();
  expect(before.map((i) => i.status)).toEqual(['investigating']);
  const resolved = await runCliAsync(['incident', 'resolve', id], { cwd: p.dir, env: p.env });
  expect(resolved.code, resolved.stderr).toBe(0);
  expect(resolved.stdout).toContain(`statuspage: resolved public incident ${before[0]!.id}`);
  const after = (p.sandbox.state() as unknown as { statuspage: { incidents: { status: string; components: Record<string, string> }[] } })
    .statuspage.incidents;
  expect(after).toHaveLength(1);
  expect(after[0]!.status).toBe('resolved');
  expect(Object.values(after[0]!.components)).toEqual(['operational']);
  // again: nothing left open, nothing written
  const writes = () => p.sandbox.requests().filter((r) => r.method === 'PATCH').length;
  const patched = writes();
  const again = await runCliAsync(['incident', 'resolve', id], { cwd: p.dir, env: p.env });
  expect(again.code, again.stderr).toBe(0);
  expect(writes()).toBe(patched);
});

it('customer-resolved closes the status page incident it opened', async () => {
  const r = await runCliAsync(['incident', 'start', '--playbook', 'notices', '--yes'], { cwd: p.dir, env: p.env });
  expect(r.code, r.stderr).toBe(0);
  const pageIncidents = (
    p.sandbox.state() as unknown as { statuspage: { incidents: { status: string; components?: Record<string, string> }[] } }
  ).statuspage.incidents;
  expect(pageIncidents).toHaveLength(1); // created once, then updated
  expect(pageIncidents[0]!.status).toBe('resolved');
  expect(Object.values(pageIncidents[0]!.components ?? {})).toEqual(['operational']);
});

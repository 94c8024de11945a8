import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startForwardProxy } from '../helpers/forward-proxy.js';
import { TimelineWriter } from '../../src/timeline/writer.js';
import { BIN, hasStackTrace, runCliAsync } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';
import { failoverStepEvents } from '../helpers/events.js';
import { payctlInTerminal } from '../helpers/terminal.js';

let p: SandboxProject;
beforeEach(async () => {
  p = await sandboxProject();
});
afterEach(async () => {
  await p.close();
});

const run = (args: string[]) => runCliAsync(args, { cwd: p.dir, env: p.env });
const statusOf = async (id: string) => JSON.parse((await run(['incident', 'show', id, '--json'])).stdout).incident.status as string;
const routingWrites = () => p.sandbox.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/routing/default'));

describe('payctl failover / failback', () => {
  it('moves traffic, verifies it, and prints one JSON object', async () => {
    const r = await run(['failover', '--to', 'adyen', '--reason', 'stripe major outage', '--yes', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      from: 'stripe',
      to: 'adyen',
      verified: true,
      routing_before: ['stripe', 'adyen', 'braintree'],
      routing_after: ['adyen', 'stripe', 'braintree'],
      dry_run: false,
    });
    expect(out.incident).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(typeof out.duration_ms).toBe('number');
    // the write reached the routing service once, with an idempotency key
    const writes = routingWrites();
    expect(writes).toHaveLength(1);
    expect(String(writes[0]!.headers['idempotency-key'] ?? '')).toContain(out.incident);
    // three routing round trips: the read (made alongside the target's status page), the write, the read-back
    const routing = p.sandbox
      .requests()
      .filter((r) => r.path.endsWith('/routing/default'))
      .map((r) => r.method);
    expect(routing).toEqual(['GET', 'POST', 'GET']);
    expect(p.sandbox.requests().some((r) => r.path.includes('/status/adyen/'))).toBe(true);

    // the switch is in the timeline, the chain verifies, and the incident shows it
    const show = JSON.parse((await run(['incident', 'show', out.incident, '--json'])).stdout);
    expect(JSON.stringify(show)).toContain('switch_provider');
    expect((await run(['incident', 'verify', out.incident])).code).toBe(0);

    // failback joins the same incident and restores the primary
    const back = await run(['failback', '--yes', '--json']);
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ incident: out.incident, from: 'adyen', to: 'stripe', verified: true });
    expect(routingWrites()).toHaveLength(2);
  });

  it('exits 3 without --yes and a person, before touching anything', async () => {
    const r = await run(['failover', '--to', 'adyen', '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--yes');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(routingWrites()).toHaveLength(0);
    // --json: the error is the one JSON document on stdout
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: expect.stringContaining('needs approval'),
      hint: expect.stringContaining('--yes'),
      exit_code: 3,
    });
    const typo = await run(['failover', '--to', 'adyn', '--yes', '--json']);
    expect(typo.code).toBe(2);
    expect(JSON.parse(typo.stdout)).toEqual({
      error: 'unknown provider "adyn"',
      hint: 'configured providers: stripe, adyen, braintree',
      exit_code: 2,
    });
  });

  it('refuses a target whose status page shows a major outage (exit 1), unless --force', async () => {
    p.sandbox.injectFault('braintree:down');
    const r = await run(['failover', '--to', 'braintree', '--yes', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.verified).toBe(false);
    expect(out.error).toMatch(/major_outage/);
    expect(routingWrites()).toHaveLength(0);
    // nothing moved: its incident is closed (the record of the attempt), not left open among the real ones
    expect(await statusOf(out.incident)).toBe('resolved');
    const pm = await run(['postmortem', out.incident, '--out', join(p.dir, 'refused.md')]);
    expect(pm.code, pm.stderr).toBe(0);
    expect(readFileSync(join(p.dir, 'refused.md'), 'utf8')).toContain('refusing to move traffic to braintree');
    const forced = await run(['failover', '--to', 'braintree', '--force', '--yes', '--json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).verified).toBe(true);
  });

  it('exits 1 and rolls back when the routing read-back disagrees with the write', async () => {
    p.sandbox.injectFault('hyperswitch:stale');
    const r = await run(['failover', '--to', 'adyen', '--yes', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.verified).toBe(false);
    expect(out.rolled_back).toBe(true);
    expect(out.error).toMatch(/read-back disagrees/);
  });

  it('rejects an unknown provider with exit 2', async () => {
    const r = await run(['failover', '--to', 'paypal', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown provider "paypal"');
    expect(r.stderr).toContain('stripe, adyen, braintree');
  });

  it('names a missing routing secret with exit 2, before opening an incident', async () => {
    const env = { ...p.env };
    delete (env as Record<string, string | undefined>).SANDBOX_HYPERSWITCH_KEY;
    const r = await runCliAsync(['failover', '--to', 'adyen', '--yes'], { cwd: p.dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('environment variable SANDBOX_HYPERSWITCH_KEY is not set (needed by routing.adapter.api_key)');
    expect((await run(['incident', 'list', '--json'])).stdout).not.toContain('Fail over');
    expect(routingWrites()).toHaveLength(0);
  });

  it('refuses --from naming a provider that does not have the traffic (exit 1, nothing written)', async () => {
    const r = await run(['failover', '--to', 'adyen', '--from', 'braintree', '--yes', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toContain('traffic goes to stripe, not braintree');
    expect(routingWrites()).toHaveLength(0);
  });

  it('a failback when traffic is already on the primary changes nothing and records no failback milestone', async () => {
    const r = await run(['failback', '--yes', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ to: 'stripe', unchanged: true, verified: true });
    expect(routingWrites()).toHaveLength(0);
    const show = JSON.parse((await run(['incident', 'show', out.incident, '--json'])).stdout);
    expect(show.incident.milestones).toHaveProperty('detected');
    expect(show.incident.milestones).not.toHaveProperty('failed_back');
    expect(show.incident.status).toBe('resolved');
  });

  it('--dry-run reports a refusal it would make now, without failing the rehearsal', async () => {
    p.sandbox.injectFault('braintree:down');
    const r = await run(['failover', '--to', 'braintree', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).would_refuse).toMatch(/major_outage/);
    expect(routingWrites()).toHaveLength(0);
  });

  it('refuses to move traffic from a provider to itself (exit 1)', async () => {
    const r = await run(['failover', '--to', 'stripe', '--from', 'stripe', '--yes', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toContain('cannot move traffic from stripe to itself');
    expect(routingWrites()).toHaveLength(0);
  });

  it('--dry-run shows the switch without making it', async () => {
    const r = await run(['failover', '--to', 'adyen', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ dry_run: true, to: 'adyen' });
    expect(routingWrites()).toHaveLength(0);
    // the rehearsal's incident closes itself: it is not left among the open ones
    expect(JSON.parse((await run(['incident', 'list', '--status', 'open', '--json'])).stdout)).toEqual([]);
    expect(JSON.parse((await run(['incident', 'show', out.incident, '--json'])).stdout).incident).toMatchObject({
      status: 'cancelled',
      dry_run: true,
    });
  });

  it('names who acted: PAYCTL_ACTOR, else git user.name, else the OS user', async () => {
    // a git on PATH that answers (or fails) like the real one
    const fakeBin = mkdtempSync(join(tmpdir(), 'payctl-fake-git-'));
    const git = (script: string) => {
      writeFileSync(join(fakeBin, 'git'), `#!/bin/sh\n${script}\n`);
      chmodSync(join(fakeBin, 'git'), 0o755);
    };
    const actorsOf = async (env: NodeJS.ProcessEnv) => {
      const r = await runCliAsync(['failover', '--to', 'adyen', '--dry-run', '--json'], { cwd: p.dir, env: { ...p.env, ...env } });
      expect(r.code).toBe(0);
      const show = JSON.parse((await run(['incident', 'show', JSON.parse(r.stdout).incident, '--json'])).stdout);
      return new Set((show.events as { actor: string }[]).map((e) => e.actor));
    };
    const path = `${fakeBin}:${process.env.PATH}`;
    git('[ "$1 $2" = "config user.name" ] && echo "Ada Lovelace"');
    expect(await actorsOf({ PATH: path, PAYCTL_ACTOR: undefined })).toEqual(new Set(['Ada Lovelace']));
    git('exit 1');
    expect(await actorsOf({ PATH: path, PAYCTL_ACTOR: undefined })).toEqual(new Set([userInfo().username]));
    expect(await actorsOf({ PATH: path, PAYCTL_ACTOR: 'ci-bot' })).toEqual(new Set(['ci-bot']));
  });

  it('incident resolve warns while traffic is still on the backup, and not after a failback', async () => {
    const out = JSON.parse((await run(['failover', '--to', 'adyen', '--yes', '--json'])).stdout);
    const first = await run(['incident', 'resolve', out.incident]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`moved traffic away from stripe and its last switch (step failover) left it on adyen`);
    expect(first.stderr).toContain(`payctl failback --incident ${out.incident}`);
    expect((await run(['failback', '--incident', out.incident, '--yes', '--json'])).code).toBe(0);
    const again = await run(['incident', 'resolve', out.incident]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
  });

  it('through an HTTP proxy with DEBUG=*, no secret reaches stdout or stderr', async () => {
    const proxy = await startForwardProxy();
    try {
      const proxyUrl = proxy.url.replace('http://', 'http://ops:pr0xy-s3cret@');
      const r = await runCliAsync(['failover', '--to', 'adyen', '--yes', '--json'], {
        cwd: p.dir,
        env: { ...p.env, HTTP_PROXY: proxyUrl, DEBUG: '*' },
      });
      expect(r.code).toBe(0);
      expect(proxy.seen.some((u) => u.endsWith('/routing/default'))).toBe(true);
      const printed = r.stdout + r.stderr;
      for (const secret of ['pr0xy-s3cret', ...Object.values(p.env)]) expect(printed).not.toContain(secret);
    } finally {
      await proxy.close();
    }
  });

  it('incident resolve does not warn when traffic is already back on the primary (a failback that found it there)', async () => {
    const a = JSON.parse((await run(['failover', '--to', 'adyen', '--yes', '--json'])).stdout).incident;
    // traffic goes back to stripe outside incident a
    expect((await run(['failover', '--to', 'stripe', '--force', '--yes', '--json'])).code).toBe(0);
    const back = JSON.parse((await run(['failback', '--incident', a, '--yes', '--json'])).stdout);
    expect(back).toMatchObject({ incident: a, unchanged: true });
    const r = await run(['incident', 'resolve', a]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('failback joins the incident that really moved traffic, not a later no-op; its dry run joins none', async () => {
    const a = JSON.parse((await run(['failover', '--to', 'adyen', '--yes', '--json'])).stdout).incident;
    const b = JSON.parse((await run(['failover', '--to', 'adyen', '--yes', '--json'])).stdout);
    expect(b.unchanged).toBe(true);
    expect(await statusOf(a)).toBe('investigating'); // it moved traffic: open until someone resolves it
    expect(await statusOf(b.incident)).toBe('resolved'); // it moved nothing
    const open = JSON.parse((await run(['incident', 'list', '--status', 'open', '--json'])).stdout);
    expect(open.map((i: { id: string }) => i.id)).toEqual([a]); // incident list --json prints an array
    const dry = JSON.parse((await run(['failback', '--dry-run', '--json'])).stdout);
    expect(dry.incident).not.toBe(a);
    expect(dry.incident).not.toBe(b.incident);
    expect(dry).toMatchObject({ dry_run: true, routing_before: ['adyen', 'stripe', 'braintree'] });
    expect((await run(['failback', '--dry-run', '--incident', a])).code).toBe(2);
    const real = JSON.parse((await run(['failback', '--yes', '--json'])).stdout);
    expect(real).toMatchObject({ incident: a, verified: true, to: 'stripe' });
  });

  it('failback never joins a drill or demo left open, and --incident refuses one', async () => {
    // as a drill killed before it was closed leaves it: open, with a switch that moved the sandbox's traffic
    const id = '20261126-080000-d001';
    const w = new TimelineWriter(join(p.dir, '.payctl', 'incidents', id, 'timeline.jsonl'), { actor: 'ci' });
    await w.append({
      type: 'incident_opened',
      data: { id, title: 'Drill', severity: 'sev1', playbook: 'processor-outage', dry_run: false, source: 'drill' },
    });
    await w.appendAll(failoverStepEvents({ title: 'Failover', idempotencyKey: `payctl-${id}-failover`, durationMs: 5 }));
    const back = JSON.parse((await run(['failback', '--yes', '--json'])).stdout);
    expect(back.incident).not.toBe(id);
    const joined = await run(['failover', '--to', 'adyen', '--incident', id, '--yes', '--json']);
    expect(joined.code).toBe(2);
    expect(JSON.parse(joined.stdout).error).toBe(`incident ${id} is a drill: real traffic is not moved inside it`);
    expect(routingWrites()).toHaveLength(0);
  });

  it('a person who answers no: exit 3, nothing moved, a clear message', async () => {
    const t = payctlInTerminal(['failover', '--to', 'adyen'], { cwd: p.dir, env: { ...p.env, NO_COLOR: '1' } });
    await t.waitFor('Move payment traffic to adyen?');
    t.write('n\r');
    expect(await t.exited).toBe(3);
    const screen = t.screen();
    expect(screen).toContain('failover to adyen was not approved: traffic was not moved');
    expect(screen).not.toContain('NOT verified');
    expect(routingWrites()).toHaveLength(0);
    const id = /in incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(screen)?.[1];
    expect(id).toBeDefined();
    expect(await statusOf(id!)).toBe('resolved');
  });

  it('a key pasted into a note is redacted, though the note command never uses it', async () => {
    const id = JSON.parse((await run(['failover', '--to', 'adyen', '--dry-run', '--json'])).stdout).incident;
    const key = p.env.SANDBOX_STATUSPAGE_KEY!;
    expect((await run(['incident', 'note', id, `pasted by mistake: ${key}`])).code).toBe(0);
    const show = await run(['incident', 'show', id, '--json']);
    expect(show.stdout).toContain('pasted by mistake: ***');
    expect(show.stdout).not.toContain(key);
    const timeline = readFileSync(join(p.dir, '.payctl', 'incidents', id, 'timeline.jsonl'), 'utf8');
    expect(timeline).not.toContain(key);
  });

  it('processor-outage with nothing wrong tells the team, not the public; unattended without --yes it stops at the failover gate', async () => {
    const r = await runCliAsync(['incident', 'start', '--playbook', 'processor-outage', '--json'], {
      cwd: p.dir,
      env: { ...p.env, CI: '1' },
    });
    expect(r.code).toBe(3);
    const writes = p.sandbox
      .requests()
      .filter((q) => q.method !== 'GET')
      .map((q) => q.path);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\/slack\//);
    expect(routingWrites()).toHaveLength(0);
  });

  it.each([
    ['metrics present', ''],
    ['no metric data (NaN)', ',prometheus:nan'],
    ['metrics failing', ',prometheus:errors'],
  ])(
    'processor-outage when the backup is the one down (%s): nothing public, nobody paged, traffic not moved',
    async (_what, metrics) => {
      // stripe, the primary, is fine; a success rate that cannot be read must not count as "below the threshold"
      p.sandbox.injectFault(`adyen:down${metrics}`);
      const child = spawn(process.execPath, [BIN, 'incident', 'start', '--playbook', 'processor-outage', '--yes'], {
        cwd: p.dir,
        env: { ...p.env, PATH: process.env.PATH, PAYCTL_ACTOR: 'test', CI: '1' },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise((r) => child.on('close', r));
      // the public and paging steps all come before the recovery waits (which, without metrics, wait out their timeout)
      const steps: Record<string, string> = {};
      for (let i = 0; i < 1500 && !steps.update_customers; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const id = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(out)?.[1];
        if (!id) continue;
        for (const line of readFileSync(join(p.dir, '.payctl', 'incidents', id, 'timeline.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)) {
          const e = JSON.parse(line) as { type: string; step?: string; data: { outcome?: string } };
          if (e.type === 'step_completed' && e.step) steps[e.step] = e.data.outcome!;
        }
      }
      child.kill('SIGKILL');
      await exited;
      expect(steps.update_customers, out).toBe('skipped');
      expect(steps.identified).toBe('skipped');
      for (const id of ['acknowledge', 'alternatives', 'escalate']) expect(steps[id], id).toBe('skipped');
      const posts = p.sandbox
        .requests()
        .filter((q) => q.method === 'POST')
        .map((q) => q.path);
      expect(posts.filter((path) => !path.startsWith('/slack/'))).toEqual([]); // only the team hears of it
      expect(routingWrites()).toHaveLength(0);
    },
    60_000,
  );

  it('processor-outage run to the end when the backup is the one down: no follow-up, no "fixed" notice, exit 1 for the refused failover', async () => {
    p.sandbox.injectFault('adyen:down');
    const r = await runCliAsync(['incident', 'start', '--playbook', 'processor-outage', '--yes', '--json'], {
      cwd: p.dir,
      env: { ...p.env, CI: '1' },
      timeout: 90_000,
    });
    const steps = JSON.parse(r.stdout).steps;
    for (const id of ['follow_up', 'resolved_notice', 'close_escalation', 'update_customers'])
      expect(steps[id].outcome, id).toBe('skipped');
    expect(
      p.sandbox
        .requests()
        .filter((q) => q.method === 'POST' && !q.path.startsWith('/slack/'))
        .map((q) => q.path),
    ).toEqual([]);
    expect(r.code, r.stderr).toBe(1);
  }, 120_000);

  it('a secret a playbook needs is checked before the incident opens: exit 2 naming it, nothing posted', async () => {
    const { SANDBOX_SLACK_WEBHOOK_URL: _unset, ...env } = p.env;
    const r = await runCliAsync(['incident', 'start', '--playbook', 'processor-outage', '--yes', '--json'], {
      cwd: p.dir,
      env: { ...env, CI: '1' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('environment variable not set: SANDBOX_SLACK_WEBHOOK_URL (channels.slack.webhook_url, for step tell_team)');
    expect(JSON.parse(r.stdout)).toMatchObject({ exit_code: 2 });
    expect(JSON.parse((await run(['incident', 'list', '--json'])).stdout)).toEqual([]);
    expect(p.sandbox.requests().filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('a resume checks the secrets of the steps it has left too: exit 2 naming it, nothing posted', async () => {
    mkdirSync(join(p.dir, 'playbooks'), { recursive: true });
    writeFileSync(
      join(p.dir, 'playbooks', 'gated.yaml'),
      'id: gated\ntitle: Gated\nsteps:\n  - { id: tell, type: notify, title: Tell the team, channels: [slack], template: team-update, vars: { summary: x }, confirm: Tell them? }\n',
    );
    const first = await runCliAsync(['incident', 'start', '--playbook', 'gated', '--json'], { cwd: p.dir, env: { ...p.env, CI: '1' } });
    expect(first.code).toBe(3); // stopped at the gate
    const id = JSON.parse(first.stdout).incident as string;
    const { SANDBOX_SLACK_WEBHOOK_URL: _unset, ...env } = p.env;
    const r = await runCliAsync(['incident', 'resume', id, '--yes'], { cwd: p.dir, env: { ...env, CI: '1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('environment variable not set: SANDBOX_SLACK_WEBHOOK_URL (channels.slack.webhook_url, for step tell)');
    expect(r.stderr).toContain('nothing was resumed');
    expect(p.sandbox.requests().filter((q) => q.method !== 'GET')).toEqual([]);
    const again = await runCliAsync(['incident', 'resume', id, '--yes'], { cwd: p.dir, env: { ...p.env, CI: '1' } });
    expect(again.code, again.stderr).toBe(0);
    expect(p.sandbox.requests().filter((q) => q.method === 'POST' && q.path.startsWith('/slack/'))).toHaveLength(1);
  });

  it('a notify killed half-way: the resume posts only to the channels that had not taken the message', async () => {
    mkdirSync(join(p.dir, 'playbooks'), { recursive: true });
    writeFileSync(
      join(p.dir, 'playbooks', 'tell.yaml'),
      'id: tell\ntitle: Tell\nsteps:\n  - { id: tell, type: notify, title: Tell customers, channels: [slack, social], template: customer-acknowledge }\n',
    );
    p.sandbox.injectFault('webhook:hang'); // social is a webhook: it never answers, slack does
    const child = spawn(process.execPath, [BIN, 'incident', 'start', '--playbook', 'tell', '--yes'], {
      cwd: p.dir,
      env: { ...p.env, PATH: process.env.PATH, PAYCTL_ACTOR: 'test', CI: '1' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise((r) => child.on('close', r));
    const store = join(p.dir, '.payctl', 'incidents');
    let id: string | undefined;
    for (let i = 0; i < 250 && !id; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const m = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(out);
      if (m && readFileSync(join(store, m[1]!, 'timeline.jsonl'), 'utf8').includes('"channel_sent"')) id = m[1];
    }
    expect(id).toBeDefined();
    child.kill('SIGKILL'); // slack took it (on disk), social still waiting
    await exited;
    p.sandbox.heal('webhook');
    const posts = (path: RegExp) => p.sandbox.requests().filter((q) => q.method === 'POST' && path.test(q.path)).length;
    expect(posts(/^\/slack\//)).toBe(1);
    const resumed = await runCliAsync(['incident', 'resume', id!, '--yes', '--json'], { cwd: p.dir, env: p.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(posts(/^\/slack\//)).toBe(1); // not posted twice
    expect(posts(/^\/webhook\/social/)).toBe(2); // the one that never answered is sent again (same Idempotency-Key)
    const state = JSON.parse((await run(['incident', 'show', id!, '--json'])).stdout).incident;
    expect(state.steps.tell.result.channels).toMatchObject({ slack: { ok: true, earlier: true }, social: { ok: true } });
  });
});

/**
 * Incident roles end to end (issue 14 item 1), with the built payctl and
 * different people (PAYCTL_ACTOR): roles assigned and shown (show, --json),
 * a handoff recorded with its note, a step's `owner:` shown to the person
 * holding the role, the roles in the Slack update (a real HTTP server standing
 * in for the webhook), the postmortem's timeline naming the handoff and the
 * second person's approval; `owner:` checked against known and declared roles.
 */
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCliAsync, tempProject } from '../engine/helpers.js';
import { hasStackTrace } from '../helpers/run-cli.js';
import { describeWithPostgres, freshDatabase } from '../helpers/postgres.js';

const PLAYBOOK = `
id: team
title: Card payments failing
roles:
  fraud: watches the fraud rules
steps:
  - { id: hold, type: set_status, title: Identify, status: identified, confirm: "Go on?" }
  - { id: update, type: manual, title: Post the customer update, owner: comms, instructions: "Post it on the status page" }
  - { id: tell, type: notify, title: Tell the team, channels: [slack], template: team-update, vars: { summary: "Traffic moved to adyen" } }
  - id: off
    type: set_status
    title: Take checkout offline
    status: monitoring
    confirm: { message: "Take checkout offline?", second_person: true }
`;

let slack: { url: string; bodies: string[]; server: Server };

beforeEach(async () => {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  slack = { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, bodies, server };
});
afterEach(async () => {
  slack.server.closeAllConnections();
  await new Promise((r) => slack.server.close(r));
});

function project(): string {
  const dir = tempProject({ team: PLAYBOOK });
  writeFileSync(
    join(dir, 'payctl.config.yaml'),
    'store: .payctl/incidents\nchannels:\n  slack: { type: slack, webhook_url: env:SLACK_URL }\n',
  );
  return dir;
}

describe('incident roles', () => {
  it('are assigned and shown, a handoff is recorded with its note, and owned steps and Slack updates name who holds them', async () => {
    const dir = project();
    const as = (actor: string) => ({ PAYCTL_ACTOR: actor, SLACK_URL: slack.url });
    const started = await runCliAsync(dir, ['incident', 'start', '-p', 'team'], as('alice'));
    expect(started.code).toBe(3); // the first gate, unattended without --yes
    const id = /incident resume (\S+)/.exec(started.stderr)![1]!;
    // nobody holds a role yet: the hint names this incident, not a placeholder
    const none = await runCliAsync(dir, ['incident', 'show', id], as('alice'));
    expect(none.stdout).toContain(`roles     - (payctl incident assign ${id} --role commander --to <person>)`);

    const a1 = await runCliAsync(dir, ['incident', 'assign', id, '--role', 'commander', '--to', 'alice'], as('alice'));
    expect(a1.stdout).toContain(`${id}: commander alice`);
    expect((await runCliAsync(dir, ['incident', 'assign', id, '--role', 'comms', '--to', 'sam'], as('alice'))).code).toBe(0);
    const again = await runCliAsync(dir, ['incident', 'assign', id, '--role', 'comms', '--to', 'sam'], as('alice'));
    expect(again.stdout).toContain(`sam already holds comms in ${id}`);
    const fraud = await runCliAsync(dir, ['incident', 'assign', id, '--role', 'fraud', '--to', 'kim', '--json'], as('alice'));
    expect(JSON.parse(fraud.stdout)).toEqual({ incident: id, role: 'fraud', person: 'kim' });
    expect(fraud.stderr).toBe(''); // a role the playbook declares: no warning

    const typo = await runCliAsync(dir, ['incident', 'assign', id, '--role', 'comm', '--to', 'lee'], as('alice'));
    expect(typo.code).toBe(0);
    expect(typo.stderr).toContain('"comm" is not a role of this incident\'s playbook');
    expect(typo.stderr).toContain('did you mean comms');
    const bad = await runCliAsync(dir, ['incident', 'assign', id, '--role', 'Comms!', '--to', 'lee'], as('alice'));
    expect(bad.code).toBe(2);
    expect(hasStackTrace(bad.stderr)).toBe(false);

    const ho = await runCliAsync(
      dir,
      ['incident', 'handoff', id, '--to', 'bob', '--note', 'WAF rules in place; next: processor call at 03:00'],
      as('alice'),
    );
    expect(ho.code, ho.stderr).toBe(0);
    expect(ho.stdout).toContain(`${id}: commander alice → bob (handoff recorded: WAF rules in place; next: processor call at 03:00)`);
    const same = await runCliAsync(dir, ['incident', 'handoff', id, '--to', 'bob'], as('bob'));
    expect(same.code).toBe(2);
    expect(same.stderr).toContain(`bob already is the commander of ${id}`);

    const json = JSON.parse((await runCliAsync(dir, ['incident', 'show', id, '--json'], as('bob'))).stdout);
    expect(json.incident.roles).toEqual({ commander: 'bob', comms: 'sam', fraud: 'kim', comm: 'lee' });
    const handoff = json.events.find((e: { type: string; data: { handoff?: boolean } }) => e.type === 'role_assigned' && e.data.handoff);
    expect(handoff).toMatchObject({
      actor: 'alice',
      data: { role: 'commander', person: 'bob', previous: 'alice', note: 'WAF rules in place; next: processor call at 03:00' },
    });
    const human = (await runCliAsync(dir, ['incident', 'show', id], as('bob'))).stdout;
    expect(human).toContain('roles     commander bob, comms sam, fraud kim, comm lee');
    expect(human).toContain('handoff: commander: bob (was alice) — WAF rules in place');

    // sam resumes: the comms step is shown to sam as theirs; the Slack update lists the roles
    const resumed = await runCliAsync(dir, ['incident', 'resume', id, '--yes'], as('sam'));
    expect(resumed.code).toBe(3); // the second-person gate
    expect(resumed.stdout).toContain('for comms (you)');
    expect(slack.bodies).toHaveLength(1);
    expect(JSON.parse(slack.bodies[0]!).text).toContain('Roles: commander bob, comms sam, fraud kim, comm lee');
    const shown = (await runCliAsync(dir, ['incident', 'show', id], as('bob'))).stdout;
    expect(shown).toContain('update: started manual "Post the customer update" for comms (sam)');
    expect(shown).toContain('approvals\n  off: "Take checkout offline?" asked by sam at');
    expect(shown).toContain(`: waiting for a second person\n    next: anyone but sam: payctl incident approve ${id} --step off`);

    // bob approves; the postmortem's timeline names the handoff and who approved
    expect((await runCliAsync(dir, ['incident', 'approve', id], as('bob'))).code).toBe(0);
    expect((await runCliAsync(dir, ['incident', 'resume', id, '--yes'], as('sam'))).code).toBe(0);
    const pm = await runCliAsync(dir, ['postmortem', id, '--out', '-'], as('bob'));
    expect(pm.code, pm.stderr).toBe(0);
    expect(pm.stdout).toContain('Handoff: alice → bob as commander: WAF rules in place');
    expect(pm.stdout).toContain('Approved by bob (second person');
  }, 90_000);

  it('an owned step whose role nobody holds says how to assign it', async () => {
    const dir = project();
    const started = await runCliAsync(dir, ['incident', 'start', '-p', 'team', '--yes'], { PAYCTL_ACTOR: 'alice', SLACK_URL: slack.url });
    const id = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(started.stdout)![1]!;
    expect(started.stdout).toContain(`for comms (nobody yet): payctl incident assign ${id} --role comms --to <person>`);
    // `latest` for assign, handoff, approve and deny is the newest real incident: a dry run after it is passed by
    // (ids name their second: the dry run starts in a later one, so it is the newer by id)
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    const dry = await runCliAsync(dir, ['incident', 'start', '-p', 'team', '--dry-run', '--yes'], {
      PAYCTL_ACTOR: 'alice',
      SLACK_URL: slack.url,
    });
    const dryId = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(dry.stdout)![1]!;
    expect(dryId).not.toBe(id);
    const viaLatest = await runCliAsync(dir, ['incident', 'assign', 'latest', '--role', 'scribe', '--to', 'kim'], {
      PAYCTL_ACTOR: 'alice',
    });
    expect(viaLatest.code, viaLatest.stderr).toBe(0);
    expect(viaLatest.stdout).toContain(`${id}: scribe kim`);
    expect(viaLatest.stderr).toContain(`latest: ${id} (the newest real incident; passed by ${dryId} (dry run))`);
    expect((await runCliAsync(dir, ['incident', 'show', 'latest'])).stdout).toContain(dryId); // show's latest is the newest of all

    // a name given with stray spaces is the same person
    const spaced = await runCliAsync(dir, ['incident', 'assign', id, '--role', 'comms', '--to', '  sam   lee '], { PAYCTL_ACTOR: 'alice' });
    expect(spaced.stdout).toContain(`${id}: comms sam lee`);
  }, 30_000);
});

describe('owner: in a playbook', () => {
  it('names a standard role or one the playbook declares; anything else is a located error with the known roles', async () => {
    const dir = project();
    writeFileSync(
      join(dir, 'playbooks', 'bad.yaml'),
      `
id: bad
title: Bad
remind_every: { every: 30m, owner: commandr }
steps:
  - { id: a, type: manual, title: A, owner: fraud }
`,
    );
    const good = await runCliAsync(dir, ['playbook', 'validate', 'playbooks/team.yaml']);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    const bad = await runCliAsync(dir, ['playbook', 'validate', 'playbooks/bad.yaml']);
    expect(bad.code).toBe(2);
    const text = bad.stdout + bad.stderr;
    expect(text).toMatch(
      /bad\.yaml:4:\d+: remind_every: owner: unknown role "commandr" \(commander, comms, processor, scribe; did you mean commander\?\)/,
    );
    expect(text).toMatch(/bad\.yaml:6:\d+: step "a": owner: unknown role "fraud" .*declare a playbook's own under roles:/);
  }, 30_000);
});

describeWithPostgres('incident roles on PostgreSQL', () => {
  let url = '';
  beforeAll(async () => {
    url = await freshDatabase();
  });

  it('are assigned, handed off and shown from the database', async () => {
    const dir = project();
    const env = (actor: string) => ({
      PAYCTL_ACTOR: actor,
      SLACK_URL: slack.url,
      PAYCTL_STORE: 'env:PAYCTL_DATABASE_URL',
      PAYCTL_DATABASE_URL: url,
    });
    const started = await runCliAsync(dir, ['incident', 'start', '-p', 'team'], env('alice'));
    const id = /incident resume (\S+)/.exec(started.stderr)![1]!;
    expect((await runCliAsync(dir, ['incident', 'assign', id, '--role', 'comms', '--to', 'sam'], env('alice'))).code).toBe(0);
    expect((await runCliAsync(dir, ['incident', 'handoff', id, '--to', 'bob', '--note', 'over to you'], env('alice'))).code).toBe(0);
    const shown = JSON.parse((await runCliAsync(dir, ['incident', 'show', id, '--json'], env('carol'))).stdout);
    expect(shown.incident.roles).toEqual({ comms: 'sam', commander: 'bob' });
    expect(shown.events.at(-1)).toMatchObject({ type: 'role_assigned', actor: 'alice', data: { handoff: true, note: 'over to you' } });
  }, 60_000);
});

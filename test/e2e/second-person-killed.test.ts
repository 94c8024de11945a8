/**
 * A run killed while it waits at a second-person gate: its timeline still
 * says "running", but no process holds its run lock. incident show, approve
 * and deny ask the run lock (as incident list does) and say so: the run was
 * interrupted, the answer counts when it is resumed, and with which command.
 * On the directory store and on PostgreSQL (where the server notices the
 * killed session a moment later).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, tempProject } from '../engine/helpers.js';
import { describeWithPostgres, freshDatabase } from '../helpers/postgres.js';
import { hasStackTrace } from '../helpers/run-cli.js';
import { idOf, killAbandonedTerminals, OFFLINE_PLAYBOOK, personAtTerminal } from '../helpers/second-person.js';

type Env = Record<string, string>;

afterEach(killAbandonedTerminals);

/** alice runs the playbook in a pseudo-terminal until it waits at the gate; then it is killed (SIGKILL: no word recorded). */
async function killedAtTheGate(dir: string, env: Env): Promise<string> {
  const run = personAtTerminal(dir, ['incident', 'start', '-p', 'offline'], 'alice', env);
  await run.waitFor('waiting for a second person', 20_000);
  const id = idOf(run.screen());
  const before = JSON.parse((await runCliAsync(dir, ['incident', 'show', id, '--json'], env)).stdout);
  expect(before.run).toBe('running');
  expect(before.approvals[0].next).toBe(`anyone but alice: payctl incident approve ${id} --step checkout_off`);
  run.pty.kill('SIGKILL');
  await run.exited;
  return id;
}

/** incident show --json's run, once it is no longer running (a database notices a killed session a moment later). */
async function runOnceKilled(dir: string, id: string, env: Env): Promise<{ run: string; approvals: { next?: string }[] }> {
  const t0 = Date.now();
  for (;;) {
    const shown = JSON.parse((await runCliAsync(dir, ['incident', 'show', id, '--json'], env)).stdout);
    if (shown.run !== 'running') return shown;
    if (Date.now() - t0 > 20_000) throw new Error('the killed run still holds its run lock');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function scenarios(store: () => Env) {
  const as = (actor: string) => ({ ...store(), PAYCTL_ACTOR: actor });

  it('show and approve say the run was interrupted and name the resume; the resume passes the gate', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK });
    const id = await killedAtTheGate(dir, store());
    const killed = await runOnceKilled(dir, id, store());
    expect(killed.run).toBe('interrupted');
    expect(killed.approvals[0]!.next).toBe(
      `anyone but alice: payctl incident approve ${id} --step checkout_off; then anyone but the approver: payctl incident resume ${id} --yes`,
    );
    const shown = (await runCliAsync(dir, ['incident', 'show', id], store())).stdout;
    expect(shown).toContain('run       interrupted (its run ended without a word: killed, or the machine went down)');
    expect(shown).toContain(`resume with: payctl incident resume ${id}`);

    const bob = await runCliAsync(dir, ['incident', 'approve', id], as('bob'));
    expect(bob.code, bob.stderr).toBe(0);
    expect(bob.stdout).not.toContain('the run waiting at it goes on');
    expect(bob.stdout).toContain(
      `no run waits at it now (its run was interrupted: killed, or the machine went down); it counts when the incident is resumed: payctl incident resume ${id}`,
    );
    const approved = await runCliAsync(dir, ['incident', 'show', id], store());
    expect(approved.stdout).toMatch(new RegExp(`: approved by bob at \\S+\\n\\s+next: anyone but bob: payctl incident resume ${id} --yes`));

    const carol = await runCliAsync(dir, ['incident', 'resume', id, '--yes'], as('carol'));
    expect(carol.code, carol.stderr).toBe(0);
    expect(carol.stdout).toContain('approved by bob');
    expect(JSON.parse((await runCliAsync(dir, ['incident', 'show', id, '--json'], store())).stdout).run).toBe('finished');
  }, 90_000);

  it('deny --json says the run was interrupted; the next resume goes on past the declined step', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK });
    const id = await killedAtTheGate(dir, store());
    await runOnceKilled(dir, id, store());
    const deny = await runCliAsync(dir, ['incident', 'deny', id, '--reason', 'the WAF blocks it', '--json'], as('bob'));
    expect(deny.code, deny.stderr).toBe(0);
    expect(JSON.parse(deny.stdout)).toMatchObject({ step: 'checkout_off', denied_by: 'bob', run: 'interrupted' });
    const human = await runCliAsync(dir, ['incident', 'show', id], store());
    expect(human.stdout).toContain('declined by bob: the WAF blocks it');
    expect(hasStackTrace(deny.stderr + human.stderr)).toBe(false);
    const resumed = await runCliAsync(dir, ['incident', 'resume', id, '--yes'], as('carol'));
    expect(resumed.code, resumed.stderr).toBe(0);
    const s = JSON.parse((await runCliAsync(dir, ['incident', 'show', id, '--json'], store())).stdout);
    expect(s.incident.steps.checkout_off).toMatchObject({ status: 'skipped' });
    expect(s.incident.status).toBe('resolved');
  }, 90_000);
}

describe('a run killed at a second-person gate, on the directory store', () => {
  scenarios(() => ({}));
});

describeWithPostgres('a run killed at a second-person gate, on PostgreSQL', () => {
  let url = '';
  beforeAll(async () => {
    url = await freshDatabase();
  });
  scenarios(() => ({ PAYCTL_STORE: 'env:PAYCTL_DATABASE_URL', PAYCTL_DATABASE_URL: url }));
});

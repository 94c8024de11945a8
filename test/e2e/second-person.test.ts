/**
 * Second-person approval end to end (issue 14 item 2), on the directory store
 * and on PostgreSQL: the built payctl runs the playbook as alice in a
 * pseudo-terminal (a person waiting at the gate), and other processes answer
 * as other people (PAYCTL_ACTOR). The waiting run is released by bob's
 * approval (alice's own is refused, exit 1, naming the rule), stopped by a
 * denial, and an unattended --yes run stops with exit 3 until someone else
 * approves and it is resumed.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, tempProject } from '../engine/helpers.js';
import { describeWithPostgres, freshDatabase } from '../helpers/postgres.js';
import { hasStackTrace } from '../helpers/run-cli.js';
import { idOf, killAbandonedTerminals, OFFLINE_PLAYBOOK, personAtTerminal } from '../helpers/second-person.js';

type Env = Record<string, string>;

afterEach(killAbandonedTerminals);

function scenarios(store: () => Env) {
  const as = (actor: string) => ({ ...store(), PAYCTL_ACTOR: actor });
  const show = async (dir: string, id: string) => JSON.parse((await runCliAsync(dir, ['incident', 'show', id, '--json'], store())).stdout);

  it('waits at the gate, showing who may approve; the runner is refused; another person releases it', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK });
    const run = personAtTerminal(dir, ['incident', 'start', '-p', 'offline'], 'alice', store());
    await run.waitFor('waiting for a second person to approve "Take checkout offline?"');
    const id = idOf(run.screen());
    expect(run.screen()).toContain(
      `anyone but alice approves it (any machine sharing the store): payctl incident approve ${id} --step checkout_off`,
    );

    const waiting = await show(dir, id);
    expect(waiting.incident.approvals.checkout_off).toMatchObject({ status: 'waiting', requested_by: 'alice' });
    expect(waiting.incident.steps.checkout_off).toBeUndefined();

    const self = await runCliAsync(dir, ['incident', 'approve', id], as('alice'));
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('a second-person gate is approved by someone other than the person running it');
    expect(hasStackTrace(self.stderr)).toBe(false);

    const bob = await runCliAsync(dir, ['incident', 'approve', id, '--step', 'checkout_off'], as('bob'));
    expect(bob.code, bob.stderr).toBe(0);
    expect(bob.stdout).toContain('step checkout_off approved by bob');
    await run.waitFor('approved by bob');
    expect(await run.exited).toBe(0);

    const after = await show(dir, id);
    expect(after.incident.status).toBe('resolved');
    expect(after.incident.approvals.checkout_off).toMatchObject({ status: 'approved', by: 'bob', requested_by: 'alice' });
    const given = after.events.filter((e: { type: string }) => e.type === 'approval_given');
    expect(given).toHaveLength(1);
    expect(given[0]).toMatchObject({ actor: 'bob', step: 'checkout_off', data: { by: 'second_person' } });
    // the step ran after the approval, as alice's run
    const seqOf = (pred: (e: { type: string; step?: string; actor: string }) => boolean) => after.events.find(pred).seq;
    expect(seqOf((e) => e.type === 'step_started' && e.step === 'checkout_off')).toBeGreaterThan(given[0].seq);
    expect(after.events.find((e: { type: string; step?: string }) => e.type === 'step_started' && e.step === 'checkout_off').actor).toBe(
      'alice',
    );

    const human = await runCliAsync(dir, ['incident', 'show', id], store());
    expect(human.stdout).toMatch(/bob\s+checkout_off: approved by bob \(second person\)/);
  }, 60_000);

  it('a denial stops the waiting run: the step is declined, not run', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK });
    const run = personAtTerminal(dir, ['incident', 'start', '-p', 'offline'], 'alice', store());
    await run.waitFor('waiting for a second person');
    const id = idOf(run.screen());
    const deny = await runCliAsync(dir, ['incident', 'deny', id, '--reason', 'the WAF blocks the attack'], as('bob'));
    expect(deny.code, deny.stderr).toBe(0);
    expect(await run.exited).toBe(3);
    expect(run.screen()).toContain('declined by bob: the WAF blocks the attack');

    const s = await show(dir, id);
    expect(s.incident.steps.checkout_off).toMatchObject({ status: 'skipped', reason: 'declined by bob: the WAF blocks the attack' });
    expect(s.incident.run).toBe('stopped');
    expect(s.incident.status).toBe('identified'); // checkout_off never ran
    expect(s.events.find((e: { type: string }) => e.type === 'approval_denied')).toMatchObject({
      actor: 'bob',
      data: { by: 'second_person', reason: 'the WAF blocks the attack' },
    });
    // answered already: approving it now is refused
    expect((await runCliAsync(dir, ['incident', 'approve', id, '--step', 'checkout_off'], as('carol'))).code).toBe(2);
  }, 60_000);

  it('unattended, --yes does not pass the gate: exit 3 with the approve command; resume continues after approval', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK });
    const ci = await runCliAsync(dir, ['incident', 'start', '-p', 'offline', '--yes'], as('ci'));
    expect(ci.code).toBe(3);
    const id = idOf(ci.stdout + ci.stderr);
    expect(ci.stderr).toContain(`anyone but ci approves it with: payctl incident approve ${id} --step checkout_off`);
    expect(ci.stderr).toContain(`payctl incident resume ${id}`);
    expect((await show(dir, id)).incident.steps.checkout_off).toBeUndefined();

    // a resume before anyone approved stops at the same gate again
    expect((await runCliAsync(dir, ['incident', 'resume', id, '--yes'], as('ci'))).code).toBe(3);

    const dana = await runCliAsync(dir, ['incident', 'approve', id], as('dana'));
    expect(dana.code, dana.stderr).toBe(0);
    expect(dana.stdout).toContain(`no run waits at it now; it counts when the incident is resumed: payctl incident resume ${id}`);

    // incident show lists the gate, who approved it, and the resume command (no run goes on)
    const shown = await runCliAsync(dir, ['incident', 'show', id], store());
    expect(shown.stdout).toContain(`checkout_off: "Take checkout offline?" asked by ci at`);
    expect(shown.stdout).toMatch(/: approved by dana at \S+\n\s+next: anyone but dana: payctl incident resume \S+ --yes/);
    expect(shown.stdout).toContain('(since approved by dana at');
    expect((await show(dir, id)).approvals).toEqual([
      expect.objectContaining({
        step: 'checkout_off',
        status: 'approved',
        by: 'dana',
        requested_by: 'ci',
        next: `anyone but dana: payctl incident resume ${id} --yes`,
      }),
    ]);

    const resumed = await runCliAsync(dir, ['incident', 'resume', id, '--yes'], as('ci'));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('approved by dana');
    const s = await show(dir, id);
    expect(s.incident.status).toBe('resolved');
    expect(s.incident.steps.checkout_off.status).toBe('ok');
  }, 60_000);

  it('the approver cannot resume the step they approved; the approval stands for anyone else', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK });
    const ci = await runCliAsync(dir, ['incident', 'start', '-p', 'offline', '--yes'], as('ci'));
    const id = idOf(ci.stdout + ci.stderr);
    expect((await runCliAsync(dir, ['incident', 'approve', id], as('erin'))).code).toBe(0);
    const mine = await runCliAsync(dir, ['incident', 'resume', id, '--yes'], as('erin'));
    expect(mine.code).toBe(3);
    expect(mine.stderr).toContain('erin approved step "checkout_off" ("Take checkout offline?") and cannot run it');
    expect(mine.stderr).toContain('a second-person gate is approved by someone other than the person running it');
    expect(mine.stderr).toContain(`the approval stands: anyone but erin resumes the run with: payctl incident resume ${id} --yes`);
    expect(hasStackTrace(mine.stderr)).toBe(false);
    const kept = await show(dir, id);
    expect(kept.incident.approvals.checkout_off).toMatchObject({ status: 'approved', by: 'erin' });
    expect(kept.events.filter((e: { type: string }) => e.type === 'approval_requested')).toHaveLength(1);

    const theirs = await runCliAsync(dir, ['incident', 'resume', id, '--yes'], as('ci'));
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(theirs.stdout).toContain('approved by erin');
    expect((await show(dir, id)).incident.status).toBe('resolved');
  }, 60_000);

  it('actor names are trimmed: the runner cannot approve their own gate by spacing their name', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK });
    const ci = await runCliAsync(dir, ['incident', 'start', '-p', 'offline', '--yes'], as('alice'));
    const id = idOf(ci.stdout + ci.stderr);
    const spaced = await runCliAsync(dir, ['incident', 'approve', id], as(' alice '));
    expect(spaced.code).toBe(1);
    expect(spaced.stderr).toContain('alice asked for this approval');
    const bob = await runCliAsync(dir, ['incident', 'approve', id], as('  bob\t '));
    expect(bob.code, bob.stderr).toBe(0);
    expect(bob.stdout).toContain('approved by bob ("Take checkout offline?"');
    expect((await show(dir, id)).incident.approvals.checkout_off).toMatchObject({ status: 'approved', by: 'bob' });
    const again = await runCliAsync(dir, ['incident', 'resume', id, '--yes'], as('bob '));
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('bob approved step "checkout_off"');
  }, 60_000);
}

describe('second-person approval on the directory store', () => {
  scenarios(() => ({}));

  it('Ctrl-C while waiting stops the run (exit 3); an approval given then counts when it is resumed', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK });
    const run = personAtTerminal(dir, ['incident', 'start', '-p', 'offline'], 'alice', {});
    await run.waitFor('waiting for a second person');
    const id = idOf(run.screen());
    run.write('\x03');
    expect(await run.exited).toBe(3);
    expect(run.screen()).toContain('while waiting for a second person to approve step "checkout_off"');
    expect(run.screen()).toContain(`payctl incident resume ${id}`);

    const approved = await runCliAsync(dir, ['incident', 'approve', id, '--json'], { PAYCTL_ACTOR: 'bob' });
    expect(JSON.parse(approved.stdout)).toEqual({
      incident: id,
      step: 'checkout_off',
      approved_by: 'bob',
      requested_by: 'alice',
      already_approved: false,
      run: 'stopped',
    });
    const twice = await runCliAsync(dir, ['incident', 'approve', id, '--step', 'checkout_off'], { PAYCTL_ACTOR: 'carol' });
    expect(twice.stdout).toContain(`step checkout_off of ${id} was already approved by bob`);

    const resumed = await runCliAsync(dir, ['incident', 'resume', id], { PAYCTL_ACTOR: 'alice' });
    expect(resumed.code, resumed.stderr).toBe(0);
    const events = JSON.parse((await runCliAsync(dir, ['incident', 'show', id, '--json'])).stdout).events;
    expect(events.filter((e: { type: string }) => e.type === 'approval_requested')).toHaveLength(1);
    expect(events.filter((e: { type: string }) => e.type === 'approval_given')).toHaveLength(1);
  }, 60_000);

  it('a denial given while no run waits: the next resume records the step as declined and goes on past it', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK });
    const ci = await runCliAsync(dir, ['incident', 'start', '-p', 'offline', '--yes'], { PAYCTL_ACTOR: 'ci' });
    const id = idOf(ci.stdout + ci.stderr);
    const deny = await runCliAsync(dir, ['incident', 'deny', id, '--reason', 'not now'], { PAYCTL_ACTOR: 'bob' });
    expect(deny.code, deny.stderr).toBe(0);
    expect(deny.stdout).not.toContain('the run waiting at it stops there');
    expect(deny.stdout).toContain(
      `no run waits at it now; the next resume records it as skipped and goes on with the steps after it: payctl incident resume ${id}`,
    );
    const shown = await runCliAsync(dir, ['incident', 'show', id]);
    expect(shown.stdout).toContain('checkout_off: "Take checkout offline?" asked by ci at');
    expect(shown.stdout).toContain(': declined by bob: not now');
    const resumed = await runCliAsync(dir, ['incident', 'resume', id, '--yes'], { PAYCTL_ACTOR: 'ci' });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('(skipped: declined by bob: not now)');
    const s = JSON.parse((await runCliAsync(dir, ['incident', 'show', id, '--json'])).stdout).incident;
    expect(s.steps.checkout_off).toMatchObject({ status: 'skipped', reason: 'declined by bob: not now' });
    expect(s.steps.done.status).toBe('ok');
    expect(s.run).toBe('finished');
  }, 60_000);

  it('approve at an ordinary gate (no second person) points to resume --yes', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK.replace(', second_person: true', '') });
    const r = await runCliAsync(dir, ['incident', 'start', '-p', 'offline'], { PAYCTL_ACTOR: 'ci' });
    expect(r.code).toBe(3);
    const id = idOf(r.stdout + r.stderr);
    const approve = await runCliAsync(dir, ['incident', 'approve', id], { PAYCTL_ACTOR: 'bob' });
    expect(approve.code).toBe(2);
    expect(approve.stderr).toContain(`no step of ${id} waits for a second person's approval`);
    expect(approve.stderr).toContain(`its run stopped at step "checkout_off", which needs no second person's approval`);
    expect(approve.stderr).toContain(`payctl incident resume ${id} --yes`);
  }, 30_000);

  it("a usage error names the subcommand's help", async () => {
    const dir = tempProject({});
    const deny = await runCliAsync(dir, ['incident', 'deny', 'latest'], { PAYCTL_ACTOR: 'bob' });
    expect(deny.code).toBe(2);
    expect(deny.stderr).toContain("required option '--reason <text>' not specified");
    expect(deny.stderr).toContain('(run payctl incident deny --help for usage)');
    const assign = await runCliAsync(dir, ['incident', 'assign', 'latest', '--role', 'commander'], { PAYCTL_ACTOR: 'bob' });
    expect(assign.stderr).toContain('(run payctl incident assign --help for usage)');
    expect((await runCliAsync(dir, ['--bogus'])).stderr).toContain('(run payctl --help for usage)');
  }, 30_000);

  it('approve and deny say what is wrong: nothing waits, an unknown step', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK.replace('second_person: true', 'second_person: false') });
    const r = await runCliAsync(dir, ['incident', 'start', '-p', 'offline', '--yes'], { PAYCTL_ACTOR: 'ci' });
    expect(r.code, r.stderr).toBe(0);
    const id = idOf(r.stdout);
    const none = await runCliAsync(dir, ['incident', 'approve', id], { PAYCTL_ACTOR: 'bob' });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`no step of ${id} waits for a second person's approval`);
    const unknown = await runCliAsync(dir, ['incident', 'deny', id, '--step', 'nope', '--reason', 'no'], { PAYCTL_ACTOR: 'bob' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('step "nope" of');
    expect(hasStackTrace(none.stderr + unknown.stderr)).toBe(false);
  }, 30_000);
});

describeWithPostgres('second-person approval on PostgreSQL', () => {
  let url = '';
  beforeAll(async () => {
    url = await freshDatabase();
  });
  scenarios(() => ({ PAYCTL_STORE: 'env:PAYCTL_DATABASE_URL', PAYCTL_DATABASE_URL: url }));
});

// Finding and handling incidents (issue 11, items 5-8): ids by latest/prefix/suffix, resume without an id,
// incident list's table and who waits for a resume, cancel, and check --start-incident naming the resume.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { TimelineWriter } from '../../src/timeline/writer.js';
import { runCliAsync } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

let p: SandboxProject;
const run = (args: string[], env: Record<string, string> = {}) => runCliAsync(args, { cwd: p.dir, env: { ...p.env, ...env } });

/** An incident written straight into the store, as a run (or a kill) would leave it. */
async function writeIncident(id: string, playbook: string, more: Parameters<TimelineWriter['append']>[0][] = []): Promise<void> {
  const w = new TimelineWriter(join(p.dir, '.payctl', 'incidents', id, 'timeline.jsonl'), { actor: 'someone' });
  await w.append({
    type: 'incident_opened',
    data: { id, title: `Trouble with ${playbook}`, severity: 'sev2', playbook, dry_run: false, source: 'incident start' },
  });
  for (const ev of more) await w.append(ev);
  w.close();
}

const killedRun = { type: 'run_started' as const, data: { pid: 999_999, resume: false, dry_run: false } };

describe('with stripe down', () => {
  beforeEach(async () => {
    p = await sandboxProject({ fault: 'stripe:down' });
  });
  afterEach(async () => {
    await p.close();
  });

  it('check --start-incident with the incident stopped at its gate says to resume it (item 8)', async () => {
    const first = await run(['check', '--start-incident']);
    expect(first.code).toBe(3);
    const [listed] = JSON.parse((await run(['incident', 'list', '--json'])).stdout);
    const second = await run(['check', '--start-incident']);
    expect(second.code).toBe(4);
    expect(second.stderr).toContain(`incident ${listed.id} (processor-outage) is already open (stopped at step failover`);
    expect(second.stderr).toContain(`hint: resume it with: payctl incident resume ${listed.id} --yes`);
    expect(second.stderr).not.toContain('follow it');
  });

  it('incident list shows who waits for a resume and with which command; resume without an id takes the only one (items 5, 6)', async () => {
    expect((await run(['check', '--start-incident'])).code).toBe(3);
    const [stopped] = JSON.parse((await run(['incident', 'list', '--json'])).stdout);
    expect(stopped).toMatchObject({ run: 'stopped', waiting: { command: `payctl incident resume ${stopped.id} --yes` } });
    const text = (await run(['incident', 'list'])).stdout;
    expect(text).toMatch(/processor-outage {2,}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2,}stopped: resume {2,}/);
    expect(text).toContain('waiting for a resume (1):');
    expect(text).toContain(`  payctl incident resume ${stopped.id} --yes   stopped at step failover: step "failover" needs approval`);
    expect((await run(['incident', 'list', '--status', 'waiting', '--json'])).stdout).toContain(stopped.id);

    // unattended without --yes the resumed run stops at the same gate again
    const resumed = await run(['incident', 'resume']);
    expect(resumed.stderr).toContain(`resuming the only interrupted incident, ${stopped.id}`);
    expect(resumed.stdout).toContain(`resuming incident ${stopped.id} at step failover`);
    expect(resumed.code).toBe(3);
    // once it is resolved, nothing waits
    expect((await run(['incident', 'resolve', 'latest'])).code).toBe(0);
    const none = await run(['incident', 'resume']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no incident is waiting for a resume');
  }, 60_000);

  it('a cancelled incident is closed, named in the timeline, and left out of the scorecard and the metrics (item 7)', async () => {
    expect((await run(['check', '--start-incident'])).code).toBe(3);
    const [inc] = JSON.parse((await run(['incident', 'list', '--json'])).stdout);
    const before = JSON.parse((await run(['providers', 'report', '--json'])).stdout);
    expect(before.providers.find((r: { provider: string }) => r.provider === 'stripe').incidents).toBe(1);

    const missing = await run(['incident', 'cancel', inc.id]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--reason');
    const c = await run(['incident', 'cancel', inc.id.slice(-4), '--reason', 'opened by mistake: a sandbox fault']);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain(`${inc.id} cancelled: opened by mistake: a sandbox fault`);

    const shown = JSON.parse((await run(['incident', 'show', inc.id, '--json'])).stdout);
    expect(shown.incident).toMatchObject({ status: 'cancelled', cancelled: { reason: 'opened by mistake: a sandbox fault' } });
    expect(shown.events.at(-1)).toMatchObject({ type: 'incident_cancelled', data: { reason: 'opened by mistake: a sandbox fault' } });
    const list = JSON.parse((await run(['incident', 'list', '--json'])).stdout);
    expect(list[0]).toMatchObject({ status: 'cancelled', waiting: null });
    expect(JSON.parse((await run(['incident', 'list', '--status', 'open', '--json'])).stdout)).toEqual([]);

    const after = JSON.parse((await run(['providers', 'report', '--json'])).stdout);
    expect(after.cancelled_excluded).toBe(1);
    expect(after.providers.find((r: { provider: string }) => r.provider === 'stripe').incidents).toBe(0);
    expect((await run(['providers', 'report'])).stdout).toContain('1 cancelled incident excluded');

    const pm = JSON.parse((await run(['postmortem', inc.id, '--json'])).stdout);
    expect(pm.metrics.every((m: { ms: number | null; value: string }) => m.ms === null && m.value === 'n/a (cancelled)')).toBe(true);
    expect(pm.draft_status.banner).toContain('CANCELLED');

    // closed for good: no status change, no resume
    const st = await run(['incident', 'status', inc.id, 'identified']);
    expect(st.code).toBe(2);
    expect(st.stderr).toContain('was cancelled');
    const res = await run(['incident', 'resume', inc.id, '--yes']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('was cancelled');
    expect((await run(['failover', '--to', 'adyen', '--incident', inc.id, '--yes'])).code).toBe(2);
    // nothing was appended by the refusals
    const after2 = JSON.parse((await run(['incident', 'show', inc.id, '--json'])).stdout);
    expect(after2.events.at(-1).type).toBe('incident_cancelled');
    // a second check opens a new incident: the cancelled one does not stand in for it
    expect((await run(['check', '--start-incident'])).stderr).toContain('starting playbook processor-outage');
  }, 60_000);
});

describe('ids and listings', () => {
  beforeEach(async () => {
    p = await sandboxProject();
  });
  afterEach(async () => {
    await p.close();
  });

  it('latest, a unique prefix or suffix name an incident; an ambiguous one is exit 2 listing the matches (item 5)', async () => {
    await writeIncident('20261206-005835-209b', 'third-party-dependency', [killedRun]);
    await writeIncident('20261206-010000-77aa', 'processor-outage');
    await writeIncident('20261207-090000-77ab', 'elevated-declines');
    const show = async (id: string) => JSON.parse((await run(['incident', 'show', id, '--json'])).stdout).incident.id;
    expect(await show('209b')).toBe('20261206-005835-209b');
    expect(await show('20261207')).toBe('20261207-090000-77ab');
    expect(await show('latest')).toBe('20261207-090000-77ab');
    const amb = await run(['incident', 'show', '20261206']);
    expect(amb.code).toBe(2);
    expect(amb.stderr).toContain('"20261206" matches 2 incidents: 20261206-010000-77aa, 20261206-005835-209b');
    const none = await run(['incident', 'note', 'zzzz', 'hello']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no incident "zzzz"');
    expect((await run(['incident', 'note', '77aa', 'looked at it'])).code).toBe(0);
    expect((await run(['incident', 'status', 'latest', 'identified'])).stdout).toContain(
      '20261207-090000-77ab: investigating → identified',
    );
    expect((await run(['incident', 'verify', '209b'])).stdout).toContain('20261206-005835-209b: 2 events, hash chain intact');
    expect((await run(['incident', 'export', '77aa', '--format', 'json'])).stdout).toContain('looked at it');
    expect((await run(['postmortem', 'latest', '--out', '-'])).stdout).toContain('20261207-090000-77ab');
  });

  it("incident list's columns never run together, however long the playbook id (item 6)", async () => {
    await writeIncident('20261206-005835-209b', 'third-party-dependency', [killedRun]);
    await writeIncident('20261206-010000-77aa', 'a-playbook-with-a-much-longer-id-than-usual');
    const r = await run(['incident', 'list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const header = lines[0]!;
    // every column starts where its header does, two spaces after the widest cell before it
    const starts = ['STATUS', 'SEV', 'PLAYBOOK', 'OPENED', 'RUN', 'TITLE'].map((h) => header.indexOf(h));
    for (const line of lines.slice(1, 3)) {
      for (const at of starts) {
        expect(line[at - 1]).toBe(' ');
        expect(line[at - 2]).toBe(' ');
        expect(line[at]).not.toBe(' ');
      }
    }
    expect(r.stdout).toMatch(/ third-party-dependency {23}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}interrupted: resume {2}Trouble/);
    // killed: the run has no end and no live process holds it
    expect(lines[2]).toContain('interrupted: resume');
    expect(r.stdout).toContain('  payctl incident resume 20261206-005835-209b   interrupted: its run ended without a word');
  });

  it('incident resume without an id lists the incidents waiting when there are several (item 5)', async () => {
    await writeIncident('20261206-005835-209b', 'third-party-dependency', [killedRun]);
    await writeIncident('20261206-010000-77aa', 'processor-outage', [
      killedRun,
      { type: 'run_stopped', step: 'failover', data: { reason: 'interrupted (Ctrl-C)', exit_code: 130 } },
    ]);
    const r = await run(['incident', 'resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('2 incidents are waiting for a resume; say which:');
    expect(r.stderr).toContain('payctl incident resume 20261206-010000-77aa   Trouble with processor-outage; stopped at step failover');
    expect(r.stderr).toContain('payctl incident resume 20261206-005835-209b   Trouble with third-party-dependency; interrupted');
  });

  it('a dry run closes itself when it ends (item 7)', async () => {
    const r = await run(['failover', '--to', 'adyen', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const id = JSON.parse(r.stdout).incident;
    const shown = JSON.parse((await run(['incident', 'show', id, '--json'])).stdout).incident;
    expect(shown).toMatchObject({ status: 'cancelled', dry_run: true, cancelled: { reason: 'dry run ended: nothing was changed' } });
    expect(JSON.parse((await run(['incident', 'list', '--status', 'open', '--json'])).stdout)).toEqual([]);
  });
});

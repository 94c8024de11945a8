/**
 * The store going away never blocks mitigation and never loses an event: the
 * database is stopped in the middle of a playbook run; the run goes on (the
 * switch still moves traffic) on the local spool, says so, and once the
 * database is back the next command pushes every event into it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/run-cli.js';
import { describeWithPostgres, ownCluster, type OwnCluster } from '../helpers/postgres.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

const PLAYBOOK = `
id: slow-failover
title: Fail over, slowly
severity: sev2
steps:
  - { id: identify, type: set_status, title: Identified, status: identified }
  - { id: pause, type: wait, title: Wait a moment, duration: 3s }
  - { id: switch, type: switch_provider, title: Move traffic to adyen, to: adyen }
  - { id: watch, type: set_status, title: Monitoring, status: monitoring }
`;

describeWithPostgres('the store unreachable mid-run', () => {
  let db: OwnCluster;
  let p: SandboxProject;
  beforeAll(async () => {
    db = await ownCluster();
    p = await sandboxProject();
    writeFileSync(join(p.dir, 'playbooks', 'slow-failover.yaml'), PLAYBOOK);
  }, 90_000);
  afterAll(async () => {
    await p?.close();
    await db?.close();
  });

  async function eventsInDb(): Promise<{ id: string; n: number }[]> {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return (
        await c.query<{ id: string; n: number }>('SELECT incident_id AS id, count(*)::int AS n FROM payctl_events GROUP BY incident_id')
      ).rows;
    } finally {
      await c.end();
    }
  }

  it('the run goes on in the spool, moves traffic, and every event reaches the database once it is back', async () => {
    const env = { ...p.env, PAYCTL_STORE: db.url };
    const run = runCliAsync(['incident', 'start', '-p', 'slow-failover', '--yes', '--json'], { cwd: p.dir, env, timeout: 60_000 });
    // the incident is open in the database, the run is in its wait: the database goes away
    let before: { id: string; n: number } | undefined;
    for (let i = 0; i < 200 && !before; i++) {
      await new Promise((r) => setTimeout(r, 50));
      before = (await eventsInDb())[0];
    }
    expect(before).toBeDefined();
    db.stop();
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('CANNOT BE REACHED');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ incident: before!.id, status: 'monitoring', store: 'spooled', steps: { switch: { outcome: 'ok' } } });
    // traffic moved while the database was down
    expect(p.sandbox.requests().filter((q) => q.method === 'POST' && q.path.endsWith('/routing/default'))).toHaveLength(1);

    // what the run kept in the spool (fsync'd like any timeline)
    const spooled = readFileSync(join(p.dir, '.payctl/incidents/.spool', before!.id, 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n').length;
    expect(spooled).toBeGreaterThan(3);

    db.start();
    // the next command pushes the spool
    const show = await runCliAsync(['incident', 'show', before!.id, '--json'], { cwd: p.dir, env });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stderr).toContain('from the local spool pushed into');
    const shown = JSON.parse(show.stdout);
    expect(shown.incident).toMatchObject({ status: 'monitoring', run: 'finished' });
    expect(shown.incident.step_order).toEqual(['identify', 'pause', 'switch', 'watch']);
    const types = shown.events.map((e: { type: string }) => e.type);
    expect(types.at(-1)).toBe('store_reconciled');
    expect(shown.events.map((e: { seq: number }) => e.seq)).toEqual(types.map((_: string, i: number) => i + 1));
    const reconciled = shown.events.at(-1).data;
    // every spooled event is in the database, after those written before it went away
    expect(reconciled.pushed + reconciled.already_stored).toBe(spooled);
    expect(types.length - 1 - reconciled.pushed).toBeGreaterThanOrEqual(before!.n);
    expect((await runCliAsync(['incident', 'verify', before!.id], { cwd: p.dir, env })).code).toBe(0);
    const status = JSON.parse((await runCliAsync(['store', 'status', '--json'], { cwd: p.dir, env })).stdout);
    expect(status).toMatchObject({ reachable: true, incidents: 1, spool_waiting: [] });
  }, 120_000);

  it('down when a failover starts: traffic moves, the incident is listed and takes notes from the spool, and is pushed once it is back', async () => {
    const env = { ...p.env, PAYCTL_STORE: db.url };
    db.stop();
    const fo = await runCliAsync(['failover', '--to', 'adyen', '--yes', '--json'], { cwd: p.dir, env, timeout: 60_000 });
    expect(fo.code, fo.stderr).toBe(0);
    expect(fo.stderr).toContain('CANNOT BE REACHED');
    const id = JSON.parse(fo.stdout).incident as string;
    expect(JSON.parse(fo.stdout)).toMatchObject({ store: 'spooled' });
    const list = await runCliAsync(['incident', 'list', '--json'], { cwd: p.dir, env });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toContain("only the incidents opened in this machine's spool are seen until it answers");
    expect((JSON.parse(list.stdout) as { id: string }[]).map((r) => r.id)).toEqual([id]);
    const note = await runCliAsync(['incident', 'note', 'latest', 'adyen is taking the traffic'], { cwd: p.dir, env });
    expect(note.code, note.stderr).toBe(0);
    // an incident only the database holds cannot be read meanwhile: said, with what still works
    const other = await runCliAsync(['incident', 'show', '20200101-000000-gone'], { cwd: p.dir, env });
    expect(other.code).toBe(2);

    db.start();
    // store push says what it pushed, though opening the store already did it
    const push = await runCliAsync(['store', 'push'], { cwd: p.dir, env });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toContain('pushed 1 incident from the spool into');
    const again = await runCliAsync(['store', 'push', '--json'], { cwd: p.dir, env });
    expect(JSON.parse(again.stdout)).toMatchObject({ pushed: [], waiting: [], remaining: 0 });
    const show = await runCliAsync(['incident', 'show', id, '--json'], { cwd: p.dir, env });
    expect(show.code, show.stderr).toBe(0);
    const types = JSON.parse(show.stdout).events.map((e: { type: string; data: { text?: string } }) => e.data.text ?? e.type);
    expect(types).toContain('adyen is taking the traffic');
    expect(types.at(-1)).toBe('store_reconciled');
  }, 120_000);
});

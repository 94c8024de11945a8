/**
 * A team's shared store, end to end with the built payctl: a failover run in
 * one working directory (a CI runner) and the failback in another (a laptop)
 * are one incident in the PostgreSQL store.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/run-cli.js';
import { describeWithPostgres, freshDatabase } from '../helpers/postgres.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

describeWithPostgres('a shared PostgreSQL store', () => {
  let url: string;
  let p: SandboxProject;
  beforeAll(async () => {
    url = await freshDatabase();
  });
  beforeEach(async () => {
    p = await sandboxProject();
  });
  afterEach(async () => {
    await p.close();
  });

  it('a failover from one working directory and the failback from another are one incident', async () => {
    const laptop = mkdtempSync(join(tmpdir(), 'payctl-laptop-'));
    cpSync(p.dir, laptop, { recursive: true });
    const env = { ...p.env, PAYCTL_STORE: 'env:PAYCTL_DATABASE_URL', PAYCTL_DATABASE_URL: url };
    const ci = await runCliAsync(['failover', '--to', 'adyen', '--reason', 'stripe outage', '--yes', '--json'], {
      cwd: p.dir,
      env: { ...env, PAYCTL_ACTOR: 'ci' },
    });
    expect(ci.code, ci.stderr).toBe(0);
    const { incident } = JSON.parse(ci.stdout);

    const back = await runCliAsync(['failback', '--yes', '--json'], { cwd: laptop, env: { ...env, PAYCTL_ACTOR: 'laptop' } });
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ incident, to: 'stripe', verified: true });

    const show = await runCliAsync(['incident', 'show', incident, '--json'], { cwd: laptop, env });
    const shown = JSON.parse(show.stdout);
    expect(shown.incident.actors).toEqual(expect.arrayContaining(['ci', 'laptop']));
    expect(shown.incident.step_order).toEqual(['failover', 'failback']);
    expect((await runCliAsync(['incident', 'verify', incident], { cwd: p.dir, env })).code).toBe(0);
    // nothing in either directory's local store: the incident lives in the database
    const listed = JSON.parse((await runCliAsync(['incident', 'list', '--json'], { cwd: laptop, env })).stdout);
    expect(listed.map((r: { id: string }) => r.id)).toEqual([incident]);
    // the URL is a secret: never printed
    for (const out of [ci, back, show]) expect(out.stdout + out.stderr).not.toContain(url);
  }, 60_000);
});

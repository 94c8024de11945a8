/**
 * A run waiting at a second-person gate on PostgreSQL outlives its watch's
 * connection, as `incident follow` does: the built payctl waits at the gate in
 * a pseudo-terminal as alice; its connection is cut (its LISTEN backend
 * terminated while the process is stopped, and bob approves meanwhile; or the
 * whole server stopped and started again). It says so on stderr, connects
 * again, and goes on with bob's approval: none is missed.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { runCliAsync, tempProject } from '../engine/helpers.js';
import { describeWithPostgres, freshDatabase, ownCluster, type OwnCluster } from '../helpers/postgres.js';
import { hasStackTrace } from '../helpers/run-cli.js';
import { idOf, killAbandonedTerminals, OFFLINE_PLAYBOOK, personAtTerminal } from '../helpers/second-person.js';

type Env = Record<string, string>;

afterEach(killAbandonedTerminals);

/** payctl in a pseudo-terminal as alice: a person waits at the gate (each wait up to 30 s: a reconnect takes a while). */
const aliceAtTerminal = (dir: string, env: Env) => personAtTerminal(dir, ['incident', 'start', '-p', 'offline'], 'alice', env, 30_000);

const storeEnv = (url: string): Env => ({ PAYCTL_STORE: 'env:PAYCTL_DATABASE_URL', PAYCTL_DATABASE_URL: url });

/** Terminate the LISTEN backend of process `pid` (its watch connection), once it has one. */
async function cutWatchConnection(url: string, pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const cut = await admin.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'payctl watch pid ${pid}'`,
      );
      if (cut.rows.length) return expect(cut.rows).toEqual([{ ok: true }]);
      if (Date.now() > deadline) throw new Error(`payctl pid ${pid} has no watch connection`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await admin.end();
  }
}

/** Whether process `pid` has its watch connection (LISTEN) open. */
async function watching(url: string, pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const deadline = Date.now() + 15_000;
    while (
      !(
        await admin.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'payctl watch pid ${pid}' AND query LIKE 'LISTEN%'`,
        )
      ).rows.length
    ) {
      if (Date.now() > deadline) throw new Error(`payctl pid ${pid} did not LISTEN`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await admin.end();
  }
}

describeWithPostgres('a run waiting at a second-person gate, its connection cut', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
  });

  it('says so, connects again and goes on with the approval given while it could not hear', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK });
    const run = aliceAtTerminal(dir, storeEnv(url));
    await run.waitFor('waiting for a second person to approve');
    const id = idOf(run.screen());

    // stopped, it hears nothing; its LISTEN connection is cut, and bob approves meanwhile
    await watching(url, run.pty.pid);
    run.pty.kill('SIGSTOP');
    await cutWatchConnection(url, run.pty.pid);
    const bob = await runCliAsync(dir, ['incident', 'approve', id], { ...storeEnv(url), PAYCTL_ACTOR: 'bob' });
    expect(bob.code, bob.stderr).toBe(0);
    run.pty.kill('SIGCONT');

    await run.waitFor('approved by bob');
    expect(await run.exited).toBe(0);
    expect(run.screen()).toMatch(/cannot be reached: .*; connecting again in \d+\.\d s \(attempt 1\)/);
    expect(run.screen()).toContain('answers again');
    expect(hasStackTrace(run.screen())).toBe(false);
    const shown = JSON.parse((await runCliAsync(dir, ['incident', 'show', id, '--json'], storeEnv(url))).stdout);
    expect(shown.incident.status).toBe('resolved');
    expect(shown.incident.steps.checkout_off.status).toBe('ok');
  }, 90_000);
});

describeWithPostgres('a run waiting at a second-person gate, the server stopped and started again', () => {
  let cluster: OwnCluster;
  beforeAll(async () => {
    cluster = await ownCluster();
  }, 90_000);
  afterAll(async () => cluster?.close());

  it('retries while the server is down, and goes on once it is back and someone approves', async () => {
    const dir = tempProject({ offline: OFFLINE_PLAYBOOK });
    const run = aliceAtTerminal(dir, storeEnv(cluster.url));
    await run.waitFor('waiting for a second person to approve');
    const id = idOf(run.screen());

    await watching(cluster.url, run.pty.pid);
    cluster.stop();
    await run.waitFor('(attempt 2)');
    expect(run.screen()).toMatch(/cannot be reached: .*; connecting again in \d+\.\d s \(attempt 1\)/);
    cluster.start();
    await run.waitFor('answers again');
    const bob = await runCliAsync(dir, ['incident', 'approve', id], { ...storeEnv(cluster.url), PAYCTL_ACTOR: 'bob' });
    expect(bob.code, bob.stderr).toBe(0);
    await run.waitFor('approved by bob');
    expect(await run.exited).toBe(0);
    expect(hasStackTrace(run.screen())).toBe(false);
    const shown = JSON.parse((await runCliAsync(dir, ['incident', 'show', id, '--json'], storeEnv(cluster.url))).stdout);
    expect(shown.incident.status).toBe('resolved');
  }, 120_000);
});

/**
 * incident list's RUN column on both stores, with a real run: while a payctl
 * runs the incident (its run lock held: a flock on a directory store, an
 * advisory lock on PostgreSQL, seen in pg_locks) the run is "running" and
 * waits for nothing; once that process is SIGKILLed, the same run is
 * "interrupted" and waits for `incident resume`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HOLDING_PLAYBOOK, recordingServer, runCli, runUntil, tempProject } from '../engine/helpers.js';
import { describeWithPostgres, freshDatabase } from '../helpers/postgres.js';

interface Row {
  id: string;
  run: string;
  waiting: { command: string; why: string } | null;
}

function listed(dir: string, env: Record<string, string>): Row[] {
  const r = runCli(dir, ['incident', 'list', '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Row[];
}

function runColumn(name: string, storeEnv: () => Record<string, string>): void {
  it(`${name}: a run in progress is running; SIGKILLed, it is interrupted and waits for a resume`, async () => {
    const env = storeEnv();
    const srv = await recordingServer();
    const dir = tempProject({ long: HOLDING_PLAYBOOK(srv.url) });
    const run = runUntil(dir, ['incident', 'start', '-p', 'long', '--yes'], 'holding now', env);
    try {
      const out = await run.reached;
      const id = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(out)![1]!;

      expect(listed(dir, env)).toEqual([expect.objectContaining({ id, run: 'running', waiting: null })]);
      const table = runCli(dir, ['incident', 'list'], env);
      expect(table.stdout).toMatch(new RegExp(`${id} .* running {2}Long`));
      expect(table.stdout).not.toContain('waiting for a resume');
      const resume = runCli(dir, ['incident', 'resume'], env);
      expect(resume.code).toBe(2);
      expect(resume.stderr).toContain('no incident is waiting for a resume');

      run.p.kill('SIGKILL');
      await run.exited;
      expect(listed(dir, env)).toEqual([
        expect.objectContaining({
          id,
          run: 'interrupted',
          waiting: { command: `payctl incident resume ${id}`, why: expect.stringContaining('interrupted') },
        }),
      ]);
      expect(runCli(dir, ['incident', 'list'], env).stdout).toContain(`waiting for a resume (1):\n  payctl incident resume ${id}`);
    } finally {
      run.p.kill('SIGKILL');
      await run.exited;
      await srv.close();
    }
  }, 60_000);
}

describe('incident list RUN column: directory store', () => runColumn('directory', () => ({})));

describeWithPostgres('incident list RUN column: PostgreSQL store', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
  });
  runColumn('postgres', () => ({ PAYCTL_STORE: url }));
});

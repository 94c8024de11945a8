/**
 * incident list's RUN column on both stores, with a real run: while a payctl
 * runs the incident (its run lock held: a flock on a directory store, an
 * advisory lock on PostgreSQL, seen in pg_locks) the run is "running" and
 * waits for nothing; once that process is SIGKILLed, the same run is
 * "interrupted" and waits for `incident resume`.
 */
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, recordingServer, runCli, tempProject } from '../engine/helpers.js';
import { describeWithPostgres, freshDatabase } from '../helpers/postgres.js';

const PLAYBOOK = (url: string) => `
id: long
title: Long
steps:
  - { id: notify, type: http, title: Tell customers, method: POST, url: "${url}/notice" }
  - { id: hold, type: wait, title: Hold on, duration: 5m, message: "holding now" }
  - { id: end, type: set_status, title: End, status: resolved }
`;

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
    const dir = tempProject({ long: PLAYBOOK(srv.url) });
    const p = spawn(process.execPath, [BIN, 'incident', 'start', '-p', 'long', '--yes'], {
      cwd: dir,
      env: { PATH: process.env.PATH, PAYCTL_ACTOR: 'tester', CI: '1', NO_COLOR: '1', ...env },
    });
    const exited = new Promise((r) => p.on('close', r));
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const seen = (d: Buffer) => ((out += d), out.includes('holding now') && resolve());
        p.stdout.on('data', seen);
        p.stderr.on('data', seen);
        p.on('close', () => reject(new Error(`exited before it held:\n${out}`)));
      });
      const id = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(out)![1]!;

      expect(listed(dir, env)).toEqual([expect.objectContaining({ id, run: 'running', waiting: null })]);
      const table = runCli(dir, ['incident', 'list'], env);
      expect(table.stdout).toMatch(new RegExp(`${id} .* running {2}Long`));
      expect(table.stdout).not.toContain('waiting for a resume');
      const resume = runCli(dir, ['incident', 'resume'], env);
      expect(resume.code).toBe(2);
      expect(resume.stderr).toContain('no incident is waiting for a resume');

      p.kill('SIGKILL');
      await exited;
      expect(listed(dir, env)).toEqual([
        expect.objectContaining({
          id,
          run: 'interrupted',
          waiting: { command: `payctl incident resume ${id}`, why: expect.stringContaining('interrupted') },
        }),
      ]);
      expect(runCli(dir, ['incident', 'list'], env).stdout).toContain(`waiting for a resume (1):\n  payctl incident resume ${id}`);
    } finally {
      p.kill('SIGKILL');
      await exited;
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

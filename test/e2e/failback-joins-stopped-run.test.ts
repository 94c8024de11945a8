/**
 * A failback joined to a playbook incident whose run was stopped (new-user
 * trial): the failback's own run does not hide the unfinished playbook. After
 * it, `incident list` still says the incident waits for a resume, and why, and
 * `incident resume` without an id finds it and walks the playbook to its end.
 * Both stores: the listed state comes from the one replay.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/run-cli.js';
import { describeWithPostgres, freshDatabase } from '../helpers/postgres.js';
import { killRunning, spawnRunning } from '../helpers/running.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

let p: SandboxProject | undefined;
afterEach(async () => {
  killRunning();
  await p?.close();
  p = undefined;
});

interface Listed {
  id: string;
  run: string;
  waiting?: { command: string; why: string };
}

/** incident start, interrupted with Ctrl-C once it waits for the processor to recover. */
async function startAndInterrupt(env: NodeJS.ProcessEnv): Promise<string> {
  const started = spawnRunning(['incident', 'start', '-p', 'processor-outage', '--yes', '--var', 'check_interval=2s'], p!.dir, env);
  await started.waitForLine((l) => l.includes('Wait for the processor to recover: checking every 2s'), 45_000);
  started.child.kill('SIGINT');
  await started.exited;
  return started.stderr();
}

function scenario(storeEnv: () => NodeJS.ProcessEnv): void {
  it('after the joined failback, the stopped playbook still waits for its resume, and resume without an id continues it', async () => {
    p = await sandboxProject({ fault: 'stripe:down' });
    const env = { ...p.env, ...storeEnv(), PAYCTL_ACTOR: 'ci' };
    const run = (args: string[]) => runCliAsync(args, { cwd: p!.dir, env });

    expect(await startAndInterrupt(env)).toContain('interrupted during step "wait_recovery"');
    const [before] = JSON.parse((await run(['incident', 'list', '--json'])).stdout) as Listed[];
    expect(before!.waiting?.why).toContain('stopped at step wait_recovery');

    p.sandbox.heal();
    const back = await run(['failback', '--yes', '--json']);
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ incident: before!.id, to: 'stripe', verified: true });

    const [after] = JSON.parse((await run(['incident', 'list', '--json'])).stdout) as Listed[];
    expect(after).toMatchObject({ id: before!.id, run: 'stopped', waiting: before!.waiting });
    const text = await run(['incident', 'list']);
    expect(text.stdout).toContain('waiting for a resume (1):');
    expect(text.stdout).toContain(`payctl incident resume ${before!.id}`);
    expect(text.stdout).toContain('stopped at step wait_recovery: interrupted during step "wait_recovery" (Ctrl-C)');

    const resumed = await run(['incident', 'resume', '--yes']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('Wait for the processor to recover');
    expect(resumed.stdout).toContain(`incident ${before!.id} finished; status resolved`);
  }, 90_000);
}

describe('a failback joined to a stopped playbook run (directory store)', () => {
  scenario(() => ({}));
});

describeWithPostgres('a failback joined to a stopped playbook run (PostgreSQL store)', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
  });
  scenario(() => ({ PAYCTL_STORE: 'env:PAYCTL_DATABASE_URL', PAYCTL_DATABASE_URL: url }));
});

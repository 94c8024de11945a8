/**
 * One process runs an incident's steps at a time (src/timeline/lock.ts, the run
 * lock): a second `incident resume` (or a failover joining it) while the first
 * runs is refused before it acts; a run killed with SIGKILL leaves a lock that
 * the next resume takes over at once. A note from another terminal is fine.
 */
import { describe, expect, it } from 'vitest';
import { HOLDING_PLAYBOOK, recordingServer, runCli, runUntil, tempProject } from './helpers.js';

describe('the run lock', () => {
  it('refuses a second run of an incident while the first runs; a killed run is taken over at once', async () => {
    const srv = await recordingServer();
    try {
      const dir = tempProject({ long: HOLDING_PLAYBOOK(srv.url) });
      const first = runUntil(dir, ['incident', 'start', '-p', 'long', '--yes'], 'holding now');
      const id = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(await first.reached)![1]!;
      expect(srv.requests).toHaveLength(1);

      const second = runCli(dir, ['incident', 'resume', id, '--yes']);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`incident ${id} is being run by another payctl (pid ${first.p.pid})`);
      expect(second.stderr).toContain('hint: wait for that run to finish or stop it');
      // a note is not a run
      expect(runCli(dir, ['incident', 'note', id, 'from another terminal']).code).toBe(0);
      expect(srv.requests).toHaveLength(1); // nothing was done twice

      first.p.kill('SIGKILL');
      await first.exited;
      // the lock of the killed run is taken over at once: the resume gets to the wait
      const third = runUntil(dir, ['incident', 'resume', id, '--yes'], 'holding now');
      await third.reached;
      third.p.kill('SIGTERM');
      expect(await third.exited).toBe(3);
      const state = JSON.parse(runCli(dir, ['incident', 'show', id, '--json']).stdout).incident;
      expect(state.notes.map((n: { text: string }) => n.text)).toContain('from another terminal');
    } finally {
      await srv.close();
    }
  });
});

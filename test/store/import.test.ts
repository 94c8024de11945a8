/** payctl store import: a directory store into PostgreSQL, chains verified, safe to repeat (the built payctl). */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { DirectoryStore } from '../../src/store/directory.js';
import { runCli } from '../helpers/run-cli.js';
import { describeWithPostgres, freshDatabase } from '../helpers/postgres.js';

describeWithPostgres('payctl store import', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
  });

  it('imports each verified chain byte for byte, refuses a broken one, and is idempotent', async () => {
    const project = mkdtempSync(join(tmpdir(), 'payctl-import-'));
    const dir = join(project, '.payctl/incidents');
    const local = new DirectoryStore(dir);
    for (const id of ['20260101-010000-aaaa', '20260101-020000-bbbb']) {
      const w = await local.create(id, { actor: 'ops' });
      await w.appendAll([
        { type: 'incident_opened', data: { id, title: `Incident ${id}`, severity: 'sev2', dry_run: false, source: 'test' } },
        { type: 'note_added', data: { text: 'one' } },
      ]);
      await w.close();
    }
    // an edited line: its chain breaks
    const broken = join(dir, '20260101-020000-bbbb', 'timeline.jsonl');
    writeFileSync(broken, readFileSync(broken, 'utf8').replace('"one"', '"edited"'));
    const env = { PAYCTL_STORE: url };

    const first = runCli(['store', 'import', '--json'], { cwd: project, env });
    expect(first.code, first.stderr).toBe(1);
    expect(JSON.parse(first.stdout).incidents).toEqual([
      { id: '20260101-010000-aaaa', outcome: 'imported', events: 2 },
      { id: '20260101-020000-bbbb', outcome: 'refused', reason: expect.stringMatching(/timeline\.jsonl:2: .*changed/) },
    ]);
    // the same bytes: the database's copy shows and verifies as the file did
    const show = JSON.parse(runCli(['incident', 'show', '20260101-010000-aaaa', '--json'], { cwd: project, env }).stdout);
    const fileLines = readFileSync(join(dir, '20260101-010000-aaaa', 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(show.events.map((e: unknown) => JSON.stringify(e))).toEqual(fileLines);
    expect(runCli(['incident', 'verify', '20260101-010000-aaaa'], { cwd: project, env }).code).toBe(0);

    // again: nothing changes; a longer file gets its new events
    const w = await local.appender('20260101-010000-aaaa', { actor: 'ops' });
    await w.appendAll([{ type: 'note_added', data: { text: 'two' } }]);
    await w.close();
    appendFileSync(join(dir, '.ignored'), '');
    const again = runCli(['store', 'import', dir, '--json'], { cwd: project, env });
    expect(JSON.parse(again.stdout).incidents[0]).toEqual({ id: '20260101-010000-aaaa', outcome: 'completed', events: 3 });
    const third = runCli(['store', 'import', dir, '--json'], { cwd: project, env });
    expect(JSON.parse(third.stdout).incidents[0]).toEqual({ id: '20260101-010000-aaaa', outcome: 'already there', events: 3 });
    expect(runCli(['incident', 'verify', '20260101-010000-aaaa'], { cwd: project, env }).stdout).toContain('3 events, hash chain intact');
    expect(JSON.parse(runCli(['incident', 'list', '--json'], { cwd: project, env }).stdout)).toHaveLength(1);
  }, 60_000);
});

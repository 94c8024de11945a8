/**
 * The listed state on PostgreSQL keeps how the last run ended (what incident
 * list's RUN column and resume without an id need), written with each append;
 * migration 4 fills it in on the rows an older payctl wrote without it.
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/pg-schema.js';
import { describeWithPostgres, freshStoreForSuite } from '../helpers/postgres.js';

describeWithPostgres('the listed state on PostgreSQL', () => {
  const db = freshStoreForSuite();

  it('keeps the run stop and the cancellation; migration 4 fills them in on older rows', async () => {
    const { store, url } = db;
    const stopped = '20260101-070000-aaaa';
    const cancelled = '20260101-070000-bbbb';
    let w = await store.create(stopped, { actor: 'tester' });
    await w.appendAll([
      { type: 'incident_opened', data: { id: stopped, title: 'Stopped', severity: 'sev2', dry_run: false, source: 'incident start' } },
      { type: 'run_started', data: { pid: 1, resume: false, dry_run: false } },
    ]);
    await w.appendAll([{ type: 'run_stopped', step: 'approve', data: { reason: 'no person to ask', exit_code: 3 } }]);
    w = await store.create(cancelled, { actor: 'tester' });
    await w.appendAll([
      { type: 'incident_opened', data: { id: cancelled, title: 'Cancelled', severity: 'sev3', dry_run: false, source: 'incident start' } },
      { type: 'incident_cancelled', data: { reason: 'not an incident' } },
    ]);
    const expected = [
      {
        id: stopped,
        state: expect.objectContaining({
          run: 'stopped',
          run_stop_reason: 'no person to ask',
          run_stop_exit_code: 3,
          run_stopped_at_step: 'approve',
        }),
      },
      {
        id: cancelled,
        state: expect.objectContaining({ status: 'cancelled', cancelled: expect.objectContaining({ reason: 'not an incident' }) }),
      },
    ];
    expect(await store.list()).toEqual(expected);

    // rows as schema version 3 left them: the listed state without those fields
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(
        `UPDATE payctl_incidents SET listed = (listed::jsonb - 'run_stop_reason' - 'run_stop_exit_code' - 'run_stopped_at_step' - 'cancelled')::text`,
      );
      expect((await store.list())[0]!.state).not.toHaveProperty('run_stop_reason');
      await c.query(MIGRATIONS.find((m) => m.version === 4)!.sql);
    } finally {
      await c.end();
    }
    expect(await store.list()).toEqual(expected);
    expect(await store.list([cancelled, '20260101-070000-zzzz'])).toEqual([expected[1]]);
  });
});

/**
 * A scan of a spooled incident when the database goes away mid-scan: the
 * database had delivered its first page (2,000 events) when the server was
 * stopped; the scan goes on in the spool from the event after the last one
 * delivered, so each event is visited once, in order. Against a PostgreSQL
 * server of the test's own (it is stopped).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOutput } from '../../src/output.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres.js';
import { SpoolingStore } from '../../src/store/spooling.js';
import type { NewEvent } from '../../src/timeline/events.js';
import { describeWithPostgres, ownCluster, type OwnCluster } from '../helpers/postgres.js';

const ID = '20261206-093000-5c0a';
const EVENTS = 2_500; // more than the database store's 2,000-event page

/** Once the database answers again (the pool's connections from before the stop are dropped on the way). */
async function answering(db: PostgresStore): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await db.ids();
      return;
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describeWithPostgres('SpoolingStore scan, the database gone mid-scan', () => {
  let cluster: OwnCluster;
  let db: PostgresStore;
  let store: SpoolingStore;
  beforeAll(async () => {
    cluster = await ownCluster();
    db = await openPostgresStore({ kind: 'postgres', url: cluster.url, localDir: '', from: 'test' });
    const out = createOutput({ stdout: new PassThrough(), stderr: new PassThrough() }, { NO_COLOR: '1' }, false);
    store = new SpoolingStore(db, mkdtempSync(join(tmpdir(), 'payctl-spool-scan-')), out);
    // the same incident in the database and waiting in the spool (opened there): as when a push was cut short
    const events: NewEvent[] = [
      {
        type: 'incident_opened',
        data: { id: ID, title: 'Card payments failing', severity: 'sev2', dry_run: false, source: 'incident start' },
      },
      ...Array.from({ length: EVENTS - 1 }, (_, i): NewEvent => ({ type: 'note_added', data: { text: `note ${i + 2}` } })),
    ];
    const now = () => new Date('2026-12-06T09:30:00Z');
    const remote = await db.create(ID, { actor: 'someone', now });
    await remote.appendAll(events);
    await remote.close();
    const { appender, release } = await store.spool.appender(ID, false, { actor: 'someone', now });
    await appender.appendAll(events);
    await appender.close();
    await release();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await cluster?.close();
  });

  it('each event is visited once: the spool goes on after the last seq the database delivered', async () => {
    let stopped = false;
    const stop = () => {
      stopped = true;
      cluster.stop();
    };
    const seen: number[] = [];
    await store.scan(ID, {
      event(ev, _line, lineNo) {
        expect(lineNo).toBe(ev.seq);
        seen.push(ev.seq);
        // the first page delivered: the database goes away before the second is read
        if (ev.seq === 2_000 && !stopped) stop();
      },
      problem(p) {
        throw new Error(`problem: ${p.message}`);
      },
    });
    expect(seen).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));

    const lines: number[] = [];
    cluster.start();
    stopped = false;
    await answering(db);
    await store.lines(ID, (_bytes, _start, _end, lineNo) => {
      lines.push(lineNo);
      if (lineNo === 2_000 && !stopped) stop();
    });
    expect(lines).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
  }, 60_000);
});

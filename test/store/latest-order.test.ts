/**
 * `latest` among incidents opened in the same second: ids name their second,
 * then a random suffix, so by id alone the order within a second is the
 * suffix's. The store's latest() and the id argument `latest` pick the one
 * opened last (opened_at), on both stores; on PostgreSQL also when the second
 * straddles latest()'s 200-row page.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStore } from '../../src/store/directory.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { runCliAsync } from '../engine/helpers.js';
import { describeWithPostgres, freshDatabase } from '../helpers/postgres.js';

/** Open incident `id` at `at` (its incident_opened's time). */
async function openAt(store: Store, id: string, at: string, title = id): Promise<void> {
  const w = await store.create(id, { actor: 'someone', now: () => new Date(at) });
  await w.appendAll([{ type: 'incident_opened', data: { id, title, severity: 'sev2', dry_run: false, source: 'incident start' } }]);
  await w.close();
}

// one second, three incidents: the suffixes sort against the order they were opened in
const SECOND = [
  { id: '20261206-090000-ffff', at: '2026-12-06T09:00:00.100Z' },
  { id: '20261206-090000-8888', at: '2026-12-06T09:00:00.500Z' },
  { id: '20261206-090000-0000', at: '2026-12-06T09:00:00.900Z' },
];
const NEWEST = '20261206-090000-0000';

/** An id in the way payctl names them, for a second after 09:00:59. */
function laterId(i: number): string {
  const t = new Date(Date.UTC(2026, 11, 6, 9, 1, 0) + i * 1000).toISOString();
  return `${t.slice(0, 10).replaceAll('-', '')}-${t.slice(11, 19).replaceAll(':', '')}-${String(i).padStart(4, '0')}`;
}

interface Opened {
  store: Store;
  /** A project directory whose payctl uses this store. */
  dir: string;
  env: Record<string, string>;
}

function suite(open: () => Promise<Opened>) {
  let big: Opened;
  let small: Opened;
  beforeAll(async () => {
    big = await open();
    // 199 incidents in later seconds: with the three of SECOND, that second straddles a 200-row page
    for (let i = 0; i < 199; i++) await openAt(big.store, laterId(i), `2026-12-06T09:01:00.000Z`, 'later');
    for (const { id, at } of SECOND) await openAt(big.store, id, at, 'that second');
    small = await open();
    for (const { id, at } of SECOND) await openAt(small.store, id, at);
  }, 120_000);
  afterAll(async () => {
    await big?.store.close();
    await small?.store.close();
  });

  it("the store's latest() is the one opened last in the second, not the largest suffix", async () => {
    expect(await big.store.latest((s) => s.title === 'that second')).toBe(NEWEST);
    expect(
      await big.store.latest(
        (s) => s.title === 'that second',
        (l) => l.title === 'that second',
      ),
    ).toBe(NEWEST);
    expect(await small.store.latest(() => true)).toBe(NEWEST);
  });

  it('the id argument latest, plain and for a real incident (assign), is the one opened last', async () => {
    const shown = await runCliAsync(small.dir, ['incident', 'show', 'latest', '--json'], small.env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).incident.id).toBe(NEWEST);
    const assigned = await runCliAsync(small.dir, ['incident', 'assign', 'latest', '--role', 'scribe', '--to', 'bob'], small.env);
    expect(assigned.code, assigned.stderr).toBe(0);
    expect(assigned.stdout).toContain(NEWEST);
  });
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-latest-'));
  writeFileSync(join(dir, 'payctl.config.yaml'), 'store: .payctl/incidents\n');
  return dir;
}

describe('latest within one second: directory store', () => {
  suite(async () => {
    const dir = project();
    return { store: new DirectoryStore(join(dir, '.payctl', 'incidents')), dir, env: {} };
  });
});

describeWithPostgres('latest within one second: PostgreSQL', () => {
  suite(async () => {
    const url = await freshDatabase();
    return {
      store: await openPostgresStore({ kind: 'postgres', url, localDir: '', from: 'test' }),
      dir: project(),
      env: { PAYCTL_STORE: 'env:PAYCTL_DATABASE_URL', PAYCTL_DATABASE_URL: url },
    };
  });
});

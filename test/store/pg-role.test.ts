/**
 * The least-privilege role of docs/store.md, with exactly the grants the docs
 * list (read from the docs, so they cannot drift apart): payctl works as that
 * role (appends, listings, run locks, kept derived values), and the role
 * cannot rewrite or delete events. A role that may read payctl_derived but
 * not write it still gets every derived value, derived each time.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres.js';
import { asSuperuser, describeWithPostgres, freshDatabase } from '../helpers/postgres.js';

const DOCS = fileURLToPath(new URL('../../docs/store.md', import.meta.url));

/** The SQL block under "A least-privilege role" in docs/store.md. */
function documentedGrants(): string {
  const docs = readFileSync(DOCS, 'utf8');
  const section = docs.slice(docs.indexOf('### A least-privilege role'));
  const block = /```sql\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('docs/store.md: no sql block under "A least-privilege role"');
  return block[1]!;
}

describeWithPostgres('the least-privilege role of docs/store.md', () => {
  let url: string;
  const role = `payctl_role_${randomBytes(4).toString('hex')}`;
  let store: PostgresStore;

  beforeAll(async () => {
    url = await freshDatabase();
    const database = new URL(url).pathname.slice(1);
    const sql = documentedGrants()
      .replaceAll('ROLE payctl ', `ROLE ${role} `)
      .replaceAll('TO payctl;', `TO ${role};`)
      .replaceAll('DATABASE payctl ', `DATABASE ${database} `);
    expect(sql).toContain(`GRANT SELECT, INSERT ON payctl_events TO ${role};`);
    await asSuperuser(url, sql);
    const as = new URL(url);
    as.username = role;
    as.password = 'unused-trust-auth';
    store = await openPostgresStore({ kind: 'postgres', url: as.toString(), localDir: '', from: 'test' });
  });
  afterAll(async () => {
    await store?.close();
    await asSuperuser(url, `DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role};`).catch(() => undefined);
  });

  it('appends, lists, locks and keeps derived values; cannot rewrite or delete an event', async () => {
    const id = '20260104-000001-role';
    const w = await store.create(id, { actor: 'tester' });
    await w.appendAll([
      { type: 'incident_opened', data: { id, title: 'As the role', severity: 'sev2', dry_run: false, source: 'test' } },
      { type: 'note_added', data: { text: 'hello' } },
    ]);
    await w.close();
    expect((await store.listPage({ limit: 10 })).newest.map((s) => s.id)).toEqual([id]);
    expect(await store.verify(id)).toMatchObject({ ok: true, events: 2 });
    const release = await store.locks.run(id);
    expect(await store.locks.runsHeld([id])).toEqual(new Set([id]));
    await release();

    let derived = 0;
    const derivation = { name: 'titles', version: 1, derive: async (i: string) => (derived++, (await store.replay(i)).state.title) };
    const seen: unknown[] = [];
    await store.eachDerived(derivation, (d) => seen.push(d.value));
    await store.eachDerived(derivation, (d) => seen.push(d.value));
    expect(seen).toEqual(['As the role', 'As the role']);
    expect(derived).toBe(1); // kept by the first walk

    const c = new pg.Client({ connectionString: store.url });
    await c.connect();
    try {
      await expect(c.query(`UPDATE payctl_events SET line = 'x' WHERE incident_id = '${id}'`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`DELETE FROM payctl_events WHERE incident_id = '${id}'`)).rejects.toThrow(/permission denied/);
    } finally {
      await c.end();
    }

    // a role that may read payctl_derived but not write it: every value all the same, derived each time
    await asSuperuser(url, `REVOKE INSERT, UPDATE ON payctl_derived FROM ${role}`);
    const other = { ...derivation, name: 'titles-again' };
    derived = 0;
    seen.length = 0;
    await store.eachDerived(other, (d) => seen.push(d.value));
    await store.eachDerived(other, (d) => seen.push(d.value));
    expect(seen).toEqual(['As the role', 'As the role']);
    expect(derived).toBe(2);
    // one that may not read it: the missing grant is named
    await asSuperuser(url, `REVOKE SELECT ON payctl_derived FROM ${role}`);
    await expect(store.eachDerived(other, () => undefined)).rejects.toThrow(/refused: permission denied for table payctl_derived/);
  });
});

/**
 * The live view (issue 13, item 4), with real processes: the built payctl
 * `incident follow` (and `incident list --watch`) spawned, another payctl
 * process appending, on the directory store and on PostgreSQL. Each test
 * asserts a generous 5 s; the measured delay is printed (bench/follow.bench.mjs
 * holds the threshold).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStore } from '../../src/store/directory.js';
import type { Store } from '../../src/store/store.js';
import { hasStackTrace, runCliAsync } from '../helpers/run-cli.js';
import { openIncidentIn } from '../helpers/incidents.js';
import { killRunning, spawnRunning } from '../helpers/running.js';
import { describeWithPostgres, freshDatabase, openTestStore } from '../helpers/postgres.js';

afterEach(killRunning);

/** An incident opened by someone else, with a first note. */
const openIncident = (store: Store, id: string, title?: string) =>
  openIncidentIn(store, id, { title, more: [{ type: 'note_added', data: { text: 'first look: stripe 503s' } }] });

/** The same scenarios on each store: `setup` gives a working directory, its env and the store it uses. */
function liveViewScenarios(name: string, setup: () => Promise<{ cwd: string; env: NodeJS.ProcessEnv; store: Store }>) {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let store: Store;
  beforeAll(async () => {
    ({ cwd, env, store } = await setup());
  });
  const cli = (args: string[]) => runCliAsync(args, { cwd, env });

  it(`${name}: follow prints the timeline so far, then a note from another process, and ends when the incident is resolved`, async () => {
    const id = '20261206-041500-a1b2';
    await openIncident(store, id);
    // a suffix names it, as elsewhere
    const f = spawnRunning(['incident', 'follow', 'a1b2'], cwd, env);
    await f.waitForLine((l) => l.includes('note: first look: stripe 503s'));
    expect(f.lines[0]!.text).toMatch(/^ {2}\d{4}-\d\d-\d\dT\S+Z +\+0s {2}someone +opened "Card payments failing" \(sev2, playbook -\)$/);
    // the same lines as show's timeline section
    const shown = (await cli(['incident', 'show', id])).stdout;
    for (const l of f.lines) expect(shown).toContain(l.text);
    // the follower is watching before the note is added
    await f.waitForStderr('following');

    const noted = await cli(['incident', 'note', id, 'failover to adyen started']);
    expect(noted.code, noted.stderr).toBe(0);
    const noteDone = Date.now();
    const seen = await f.waitForLine((l) => l.includes('note: failover to adyen started'));
    console.log(`  ${name}: follow showed another process's note ${Math.max(0, seen.at - noteDone)} ms after that process exited`);

    expect((await cli(['incident', 'resolve', id])).code).toBe(0);
    await f.waitForLine((l) => l.includes('status investigating → resolved'));
    expect(await withTimeout(f.exited, 5000)).toBe(0);
    expect(f.stderr()).toContain(`incident ${id} was resolved at`);
    expect(hasStackTrace(f.stderr())).toBe(false);

    // a resolved incident: its timeline, and it says there is nothing more to follow
    const again = await cli(['incident', 'follow', id]);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n')).toHaveLength(f.lines.length);
    expect(again.stderr).toContain('nothing more to follow');
  }, 40_000);

  it(`${name}: follow --json prints one event per line as it is appended; Ctrl-C ends it with exit 0`, async () => {
    const id = '20261206-041600-c3d4';
    await openIncident(store, id);
    const f = spawnRunning(['incident', 'follow', id, '--json'], cwd, env);
    await f.waitForStderr('following');
    expect(f.lines.map((l) => JSON.parse(l.text).seq)).toEqual([1, 2]);
    expect((await cli(['incident', 'note', id, 'as json'])).code).toBe(0);
    const line = await f.waitForLine((l) => l.includes('as json'));
    const ev = JSON.parse(line.text);
    expect(ev).toMatchObject({ seq: 3, type: 'note_added', data: { text: 'as json' }, actor: 'test-runner' });
    console.log(`  ${name}: follow --json showed the event ${line.at - Date.parse(ev.time)} ms after it was appended`);
    f.child.kill('SIGINT');
    expect(await withTimeout(f.exited, 5000)).toBe(0);
    // every line is one JSON object, the seqs in order without a gap
    const seqs = f.lines.map((l) => JSON.parse(l.text).seq);
    expect(seqs).toEqual(seqs.map((_s, i) => i + 1));
  }, 40_000);

  it(`${name}: follow of an unknown incident is exit 2 naming it, without a stack trace`, async () => {
    const r = await cli(['incident', 'follow', 'zzzz9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('zzzz9');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it(`${name}: incident list --watch prints the list again with a new incident`, async () => {
    const w = spawnRunning(['incident', 'list', '--watch'], cwd, env);
    await w.waitForStderr('watching for changes');
    const id = '20261206-041700-e5f6';
    await openIncident(store, id, 'Adyen timeouts in EU');
    const row = await w.waitForLine((l) => l.startsWith(id));
    expect(row.text).toMatch(/investigating +sev2 .*Adyen timeouts in EU/);
    expect(w.lines.some((l) => /changed: .*20261206-041700-e5f6/.test(l.text))).toBe(true);
    w.child.kill('SIGINT');
    expect(await withTimeout(w.exited, 5000)).toBe(0);
  }, 40_000);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_r, reject) => setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms))]);
}

describe('the live view on a directory store', () => {
  liveViewScenarios('directory', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'payctl-follow-'));
    return { cwd, env: {}, store: new DirectoryStore(join(cwd, '.payctl', 'incidents')) };
  });
});

describeWithPostgres('the live view on a PostgreSQL store', () => {
  liveViewScenarios('postgres', async () => {
    const url = await freshDatabase();
    const cwd = mkdtempSync(join(tmpdir(), 'payctl-follow-pg-'));
    const store = await openTestStore(url);
    return { cwd, env: { PAYCTL_STORE: 'env:PAYCTL_DATABASE_URL', PAYCTL_DATABASE_URL: url }, store };
  });
});

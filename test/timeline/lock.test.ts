/**
 * The locks (src/timeline/lock.ts): flock on a file held open, released by the
 * kernel when the holder exits. The append lock is the timeline itself; the
 * run lock is <incident>/run.flock; the routing lock is in <store>/.locks/.
 * Holders are real processes (spawned), killed with SIGKILL where it matters.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TimelineWriter } from '../../src/timeline/writer.js';
import { verifyTimeline } from '../../src/timeline/verify.js';
import { acquireRoutingLock, acquireRunLock } from '../../src/timeline/lock.js';

const note = (text: string) => ({ type: 'note_added' as const, data: { text } });
const lockModule = new URL('../../dist/timeline/lock.js', import.meta.url).href;
const fsExt = new URL('../../node_modules/fs-ext/fs-ext.js', import.meta.url).pathname;

function tempTimeline(): string {
  return join(mkdtempSync(join(tmpdir(), 'payctl-lock-')), 'inc', 'timeline.jsonl');
}

function lines(file: string): number {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
}

/** A process that runs `script` and prints "ready" once it holds what it takes; resolved then. */
function holder(script: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve(child));
    child.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
}

/** A process holding the flock on a file (what a writer does mid-append), until killed. */
const flockHolder = (file: string) =>
  holder(`import { createRequire } from 'node:module'; import { openSync } from 'node:fs';
    const fsx = createRequire(import.meta.url)(${JSON.stringify(fsExt)});
    fsx.flockSync(openSync(${JSON.stringify(file)}, 'r+'), 'ex'); console.log('ready'); setInterval(() => {}, 1000);`);

const runLockHolder = (dir: string) =>
  holder(
    `import(${JSON.stringify(lockModule)}).then(async ({ acquireRunLock }) => { await acquireRunLock(${JSON.stringify(dir)}, 'INC'); console.log('ready'); setInterval(() => {}, 1000); })`,
  );

const killed = (p: ChildProcess) => new Promise((r) => (p.once('exit', r), p.kill('SIGKILL')));

describe('the append lock (flock on the timeline)', () => {
  it('leaves no lock file behind, and the chain verifies', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    await w.append(note('one'));
    await w.append(note('two'));
    // the timeline and its head (count and last hash, for verify's tail check): no lock file
    expect(readdirSync(dirname(file)).sort()).toEqual(['timeline.head', 'timeline.jsonl']);
    expect(verifyTimeline(file)).toMatchObject({ ok: true, events: 2 });
  });

  it('waits for a live holder, then appends; a holder killed mid-append lets it go on at once', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    const p = await flockHolder(file);
    let done = false;
    const appended = w.append(note('after the holder')).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    expect(lines(file)).toBe(0);
    const t0 = Date.now();
    await killed(p);
    await appended;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(lines(file)).toBe(1);
  });
});

describe('the run lock', () => {
  it('is refused while its holder lives, naming its pid, and free again once released', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'payctl-runlock-')), 'inc');
    mkdirSync(dir);
    const release = await acquireRunLock(dir, 'INC');
    await expect(acquireRunLock(dir, 'INC')).rejects.toThrow(`incident INC is being run by another payctl (pid ${process.pid})`);
    await release();
    const again = await acquireRunLock(dir, 'INC');
    await again();
  });

  it('held by another process: refused with its pid; that process killed (SIGKILL): taken at once', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'payctl-runlock-')), 'inc');
    mkdirSync(dir);
    const p = await runLockHolder(dir);
    await expect(acquireRunLock(dir, 'INC')).rejects.toThrow(`incident INC is being run by another payctl (pid ${p.pid})`);
    await killed(p);
    const t0 = Date.now();
    const release = await acquireRunLock(dir, 'INC');
    expect(Date.now() - t0).toBeLessThan(500);
    await release();
  });

  it('processes taking the run lock at the same moment: exactly one gets it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'payctl-runlock-')), 'inc');
    mkdirSync(dir);
    const script = `import(${JSON.stringify(lockModule)}).then(async ({ acquireRunLock }) => {
      try { const release = await acquireRunLock(${JSON.stringify(dir)}, 'INC'); process.stdout.write('got'); await new Promise((r) => setTimeout(r, 1500)); await release(); }
      catch (e) { process.stdout.write(/being run by another payctl \\(pid \\d+\\)/.test(e.message) ? 'refused' : e.message); }
    })`;
    const results = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
            let out = '';
            child.stdout.on('data', (d) => (out += d));
            child.on('close', () => resolve(out));
          }),
      ),
    );
    expect(results.filter((r) => r === 'got')).toHaveLength(1);
    expect(results.filter((r) => r === 'refused')).toHaveLength(5);
  });
});

describe('the routing lock', () => {
  it('waits for the holder and says who held it first; times out naming the holder', async () => {
    const store = mkdtempSync(join(tmpdir(), 'payctl-routinglock-'));
    const a = await acquireRoutingLock(store, 'hyperswitch https://x/profile', 'INC-A', 1000);
    expect('release' in a && !a.contended).toBe(true);
    const refused = await acquireRoutingLock(store, 'hyperswitch https://x/profile', 'INC-B', 200);
    expect(refused).toEqual({ holder: expect.objectContaining({ pid: process.pid, incident: 'INC-A' }) });
    // another target is not held up
    const other = await acquireRoutingLock(store, 'hyperswitch https://y/profile', 'INC-C', 0);
    expect('release' in other).toBe(true);
    if ('release' in other) await other.release();
    setTimeout(() => 'release' in a && a.release(), 100);
    const b = await acquireRoutingLock(store, 'hyperswitch https://x/profile', 'INC-B', 2000);
    expect(b).toMatchObject({ contended: { incident: 'INC-A', pid: process.pid } });
    if ('release' in b) await b.release();
    expect(existsSync(join(store, '.locks'))).toBe(true);
  });
});

/**
 * The timeline lock (proper-lockfile, src/timeline/writer.ts): <file>.lock is taken and removed
 * around each append; a live holder is waited for; a lock left by a dead
 * process, or older than the stale period, is taken over.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TimelineWriter } from '../../src/timeline/writer.js';
import { verifyTimeline } from '../../src/timeline/verify.js';
import { acquireRunLock, removeAbandoned } from '../../src/timeline/lock.js';

const note = (text: string) => ({ type: 'note_added' as const, data: { text } });

function tempTimeline(): string {
  return join(mkdtempSync(join(tmpdir(), 'payctl-lock-')), 'inc', 'timeline.jsonl');
}

function lines(file: string): number {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('timeline lock', () => {
  it('is held only during an append', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    await w.append(note('one'));
    await w.append(note('two'));
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(verifyTimeline(file)).toMatchObject({ ok: true, events: 2 });
  });

  it('waits for a live holder, then appends', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      mkdirSync(`${file}.lock`);
      writeFileSync(`${file}.lock/pid`, String(holder.pid));
      let done = false;
      const appended = w.append(note('after the holder')).then(() => (done = true));
      for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
      expect(done).toBe(false);
      expect(existsSync(file) ? lines(file) : 0).toBe(0);
      rmSync(`${file}.lock`, { recursive: true });
      await appended;
      expect(lines(file)).toBe(1);
    } finally {
      holder.kill();
    }
  });

  it('takes over a lock whose holder died (killed mid-append)', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    mkdirSync(`${file}.lock`);
    writeFileSync(`${file}.lock/pid`, String(deadPid()));
    await w.append(note('recovered'));
    expect(lines(file)).toBe(1);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it.skipIf(process.platform !== 'linux')('takes over a lock whose pid now belongs to a later process (pid reuse)', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    mkdirSync(`${file}.lock`);
    // a live pid (the test runner's parent), recorded with a start time it does not have
    writeFileSync(`${file}.lock/pid`, `${process.ppid} ${hostname()} 1`);
    const t0 = Date.now();
    await w.append(note('recovered at once'));
    expect(Date.now() - t0).toBeLessThan(5000); // not after the 10 s stale period
    expect(lines(file)).toBe(1);
  });

  it('a run lock is refused while its holder lives, and taken over when the holder is gone', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'payctl-runlock-')), 'inc');
    mkdirSync(dir);
    const release = await acquireRunLock(dir, 'INC');
    await expect(acquireRunLock(dir, 'INC')).rejects.toThrow(`incident INC is being run by another payctl (pid ${process.pid})`);
    await release();
    mkdirSync(join(dir, 'run.lock'));
    writeFileSync(join(dir, 'run.lock', 'pid'), `${process.ppid} ${hostname()}`);
    await expect(acquireRunLock(dir, 'INC')).rejects.toThrow(`incident INC is being run by another payctl (pid ${process.ppid})`);
    writeFileSync(join(dir, 'run.lock', 'pid'), String(deadPid()));
    const again = await acquireRunLock(dir, 'INC');
    await again();
  });

  it('takes over a lock older than the stale period, even without a pid', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    mkdirSync(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    await w.append(note('after a stale lock'));
    expect(lines(file)).toBe(1);
  });

  it('takes over a stale lock whose pid file says nothing (killed while writing it)', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    mkdirSync(`${file}.lock`);
    writeFileSync(`${file}.lock/pid`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    await w.append(note('after a stale lock with an empty pid file'));
    expect(lines(file)).toBe(1);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it.skipIf(process.platform !== 'linux')('takes over a lock left by an earlier process that had this pid', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    mkdirSync(`${file}.lock`);
    writeFileSync(`${file}.lock/pid`, `${process.pid} ${hostname()} 1`);
    const t0 = Date.now();
    await w.append(note('recovered at once'));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(lines(file)).toBe(1);
  });

  it('a run lock stays held, and fresh, past its refresh period; released, it is gone', async () => {
    // the pid file written into the lock once changed its mtime, so proper-lockfile gave the lock up
    // as compromised at its first refresh: a second run was let in, and the lock was left behind
    const dir = join(mkdtempSync(join(tmpdir(), 'payctl-runlock-')), 'inc');
    mkdirSync(dir);
    const staleMs = 2000; // proper-lockfile's minimum; refreshed every second
    const release = await acquireRunLock(dir, 'INC', staleMs);
    await new Promise((r) => setTimeout(r, 3500));
    expect(Date.now() - statSync(join(dir, 'run.lock')).mtimeMs).toBeLessThan(staleMs);
    await expect(acquireRunLock(dir, 'INC', staleMs)).rejects.toThrow(`incident INC is being run by another payctl (pid ${process.pid})`);
    await release();
    expect(existsSync(join(dir, 'run.lock'))).toBe(false);
  });

  it('a lock judged abandoned is not removed when another process took it over meanwhile', () => {
    // the interleaving: B judges the dead holder's lock; A takes it over and writes its own pid; then B acts
    const dir = join(mkdtempSync(join(tmpdir(), 'payctl-runlock-')), 'inc');
    mkdirSync(join(dir, 'run.lock'), { recursive: true });
    writeFileSync(join(dir, 'run.lock', 'pid'), `${process.pid} ${hostname()} 42`); // A, the new holder
    removeAbandoned(join(dir, 'run'), '12345 somehost 7', () => true); // B acts on what it judged before
    expect(readFileSync(join(dir, 'run.lock', 'pid'), 'utf8')).toBe(`${process.pid} ${hostname()} 42`); // left alone
    removeAbandoned(join(dir, 'run'), `${process.pid} ${hostname()} 42`, () => true); // the lock judged is the one there: removed
    expect(existsSync(join(dir, 'run.lock'))).toBe(false);
  });

  it('processes taking over the run lock of a dead holder at the same moment: exactly one gets it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'payctl-runlock-')), 'inc');
    mkdirSync(join(dir, 'run.lock'), { recursive: true });
    writeFileSync(join(dir, 'run.lock', 'pid'), String(deadPid()));
    const lockModule = new URL('../../dist/timeline/lock.js', import.meta.url).href;
    const script = `import(${JSON.stringify(lockModule)}).then(async ({ acquireRunLock }) => {
      try { const release = await acquireRunLock(${JSON.stringify(dir)}, 'INC'); process.stdout.write('got'); await new Promise((r) => setTimeout(r, 1500)); await release(); }
      catch (e) { process.stdout.write('refused'); }
    })`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () => new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('close', () => resolve(out));
      })),
    );
    expect(results.filter((r) => r === 'got')).toHaveLength(1);
    expect(results.filter((r) => r === 'refused')).toHaveLength(5);
  });

  it('a run lock without a pid: waited for briefly (its holder is writing it), taken over once it is left so', async () => {
    // a process killed between creating the lock and writing its pid (the kill test found this)
    const dir = join(mkdtempSync(join(tmpdir(), 'payctl-runlock-')), 'inc');
    mkdirSync(join(dir, 'run.lock'), { recursive: true });
    writeFileSync(join(dir, 'run.lock', 'pid.new'), ''); // killed mid-write
    const t0 = Date.now();
    const release = await acquireRunLock(dir, 'INC');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // not before its holder had time to write the pid
    expect(Date.now() - t0).toBeLessThan(5000); // nor after the 30 s stale period
    await release();
    // a holder that writes its pid meanwhile is named, not overrun
    mkdirSync(join(dir, 'run.lock'));
    setTimeout(() => writeFileSync(join(dir, 'run.lock', 'pid'), `${process.ppid} ${hostname()}`), 200);
    await expect(acquireRunLock(dir, 'INC')).rejects.toThrow(`incident INC is being run by another payctl (pid ${process.ppid})`);
  });
});

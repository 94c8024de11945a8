/**
 * A full disk and a read-only store are the user's to fix, not bugs (issue
 * 10.11): exit 1, the path and what to do, the resume command where an
 * incident exists; no half-created incident left; an empty timeline is not
 * "intact". The store is a real small tmpfs (filled up for ENOSPC, remounted
 * read-only for EROFS); where mount is not permitted, those tests are skipped
 * and say so.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCliAsync, tempProject } from '../engine/helpers.js';

const mounted: string[] = [];
function tinyStore(size = '256k'): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-tmpfs-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status !== 0) return undefined;
  mounted.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of mounted) spawnSync('umount', ['-l', d]);
});

const probe = tinyStore('16k');
const canMount = probe !== undefined;
if (!canMount) console.warn('storage-errors.test.ts: mount is not permitted here; the ENOSPC and EROFS tests are SKIPPED');

/** Fill a filesystem to the last block. */
function fill(dir: string): void {
  const chunk = Buffer.alloc(4096, 1);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), chunk);
    } catch {
      return;
    }
  }
}
function unfill(dir: string): void {
  for (const f of readdirSync(dir)) if (f.startsWith('filler-')) rmSync(join(dir, f));
}

const QUICK = 'id: quick\ntitle: Quick\nsteps:\n  - { id: end, type: set_status, title: End, status: resolved }\n';
/** A wait to fill the disk in, then enough steps that their events need new blocks. */
const SLOW = `id: slow\ntitle: Slow\nsteps:\n  - { id: hold, type: wait, title: Hold, duration: 2s, message: holding }\n${Array.from({ length: 60 }, (_, i) => `  - { id: w${i}, type: wait, title: "A step with a long enough title to take room in the timeline ${i}", duration: 0s }`).join('\n')}\n`;

function project(store: string): string {
  const dir = tempProject({ quick: QUICK, slow: SLOW });
  writeFileSync(join(dir, 'payctl.config.yaml'), `store: ${join(store, 'incidents')}\n`);
  return dir;
}

describe('storage errors', () => {
  it('an empty timeline (a half-created incident) is not intact, and incident list shows it as broken', async () => {
    const dir = tempProject({ quick: QUICK });
    const inc = join(dir, '.payctl/incidents/20260101-000000-dead');
    mkdirSync(inc, { recursive: true });
    writeFileSync(join(inc, 'timeline.jsonl'), '');
    const v = await runCliAsync(dir, ['incident', 'verify', '20260101-000000-dead']);
    expect(v.code).toBe(1);
    expect(v.stdout).not.toContain('intact');
    expect(v.stderr).toContain('the timeline is empty: the incident was never opened');
    const list = await runCliAsync(dir, ['incident', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: '20260101-000000-dead', status: 'broken' })]);
  });

  it.skipIf(!canMount)('a full disk when opening an incident: exit 1 naming the path, and no half-created incident', async () => {
    const store = tinyStore()!;
    const dir = project(store);
    mkdirSync(join(store, 'incidents'));
    fill(store);
    const r = await runCliAsync(dir, ['incident', 'start', '-p', 'quick', '--yes']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cannot write ${join(store, 'incidents')}/\\S+: the disk is full \\(ENOSPC\\)`));
    expect(r.stderr).toContain('free space on the disk');
    expect(r.stderr).toContain('the incident was not opened');
    expect(r.stderr).not.toContain('bug in payctl');
    expect(readdirSync(join(store, 'incidents')).filter((d) => !d.startsWith('.'))).toEqual([]);
  });

  it.skipIf(!canMount)(
    'a disk that fills during a run: exit 1 naming the timeline and the resume command; resumed once freed',
    async () => {
      const store = tinyStore()!;
      const dir = project(store);
      const p = spawn(process.execPath, [BIN, 'incident', 'start', '-p', 'slow', '--yes'], {
        cwd: dir,
        env: { PATH: process.env.PATH, PAYCTL_ACTOR: 't', CI: '1', NO_COLOR: '1' },
      });
      let out = '';
      p.stdout.on('data', (d) => {
        out += d;
        if (out.includes('holding')) fill(store);
      });
      p.stderr.on('data', (d) => (out += d));
      const code = await new Promise((r) => p.on('close', r));
      const id = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(out)![1]!;
      expect(code, out).toBe(1);
      expect(out).toContain(`cannot write ${join(store, 'incidents', id, 'timeline.jsonl')}: the disk is full (ENOSPC)`);
      expect(out).toContain(`payctl incident resume ${id}`);
      expect(out).not.toContain('bug in payctl');
      unfill(store);
      expect((await runCliAsync(dir, ['incident', 'verify', id])).code).toBe(0);
      const resumed = await runCliAsync(dir, ['incident', 'resume', id, '--yes']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect((await runCliAsync(dir, ['incident', 'verify', id])).code).toBe(0);
    },
  );

  it.skipIf(!canMount)('a read-only store: note and start exit 1 naming the path; reading still works', async () => {
    const store = tinyStore()!;
    const dir = project(store);
    const started = await runCliAsync(dir, ['incident', 'start', '-p', 'quick', '--yes']);
    expect(started.code, started.stderr).toBe(0);
    const id = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(started.stdout)![1]!;
    expect(spawnSync('mount', ['-o', 'remount,ro', store]).status).toBe(0);
    const note = await runCliAsync(dir, ['incident', 'note', id, 'from a read-only disk']);
    expect(note.code).toBe(1);
    expect(note.stderr).toContain(
      `cannot write ${join(store, 'incidents', id, 'timeline.jsonl')}: the filesystem is mounted read-only (EROFS)`,
    );
    expect(note.stderr).toContain('remount it read-write');
    expect(note.stderr).not.toContain('bug in payctl');
    const again = await runCliAsync(dir, ['incident', 'start', '-p', 'quick', '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('(EROFS)');
    expect(again.stderr).not.toContain('bug in payctl');
    expect(readdirSync(join(store, 'incidents')).filter((d) => !d.startsWith('.'))).toEqual([id]);
    expect((await runCliAsync(dir, ['incident', 'show', id])).code).toBe(0);
    expect((await runCliAsync(dir, ['incident', 'verify', id])).code).toBe(0);
    expect(existsSync(join(store, 'incidents', id, 'timeline.jsonl'))).toBe(true);
  });
});

/**
 * incident list shows the newest 50 incidents unless --limit says otherwise
 * (0: every one), says on stderr what it left out, and still names every
 * incident waiting for a resume below the table, however old.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStore } from '../../src/store/directory.js';
import { hasStackTrace, runCli } from '../helpers/run-cli.js';

let cwd: string;
const ids = Array.from({ length: 60 }, (_v, i) => `20261206-${String(100000 + i * 100)}-a${String(i).padStart(3, '0')}`);

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'payctl-list-limit-'));
  const store = new DirectoryStore(join(cwd, '.payctl', 'incidents'));
  for (const [i, id] of ids.entries()) {
    const w = await store.create(id, { actor: 'someone' });
    await w.appendAll([
      {
        type: 'incident_opened',
        data: { id, title: `Outage ${i}`, severity: 'sev2', playbook: 'p', dry_run: false, source: 'incident start' },
      },
      // the oldest one was stopped and waits for a resume; the others are resolved
      ...(i === 0
        ? [
            { type: 'run_started' as const, data: { pid: 1, resume: false, dry_run: false } },
            { type: 'run_stopped' as const, data: { reason: 'stopped at a gate', exit_code: 3 } },
          ]
        : [{ type: 'status_changed' as const, data: { from: null, to: 'resolved' as const } }]),
    ]);
    await w.close();
  }
});

const list = (...args: string[]) => runCli(['incident', 'list', ...args], { cwd, env: { NO_COLOR: '1' } });

describe('incident list --limit', () => {
  it('shows the newest 50 by default, says so, and still names the old incident waiting for a resume', () => {
    const r = list();
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^20261206-/.test(l));
    expect(rows).toHaveLength(50);
    expect(rows[0]).toMatch(new RegExp(`^${ids[59]}`));
    expect(rows.some((l) => l.startsWith(ids[0]!))).toBe(false);
    expect(r.stderr).toContain('the newest 50 of 60 incidents; --limit 0 lists every one');
    expect(r.stdout).toContain(`waiting for a resume (1):\n  payctl incident resume ${ids[0]}`);
  });

  it('--limit N and --json: the newest N rows; --limit 0: every one, with nothing left out', () => {
    const three = JSON.parse(list('--limit', '3', '--json').stdout) as { id: string }[];
    expect(three.map((r) => r.id)).toEqual([ids[59], ids[58], ids[57]]);
    const all = list('--limit', '0', '--json');
    expect(JSON.parse(all.stdout)).toHaveLength(60);
    expect(all.stderr).not.toContain('--limit 0 lists');
  });

  it('--limit applies after --status', () => {
    const r = list('--status', 'waiting', '--limit', '5', '--json');
    expect((JSON.parse(r.stdout) as { id: string }[]).map((x) => x.id)).toEqual([ids[0]]);
  });

  it('a --limit that is not a whole number is exit 2 without a stack trace', () => {
    for (const bad of ['-1', 'ten', '2.5']) {
      const r = list('--limit', bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain(`--limit "${bad}" is not a whole number`);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
  });
});

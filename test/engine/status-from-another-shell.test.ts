/**
 * A status set from another shell while a run goes on is the `from` of the
 * run's next status change (issue 11 item 10): the run re-reads the status
 * from the timeline before it records one. Meanwhile `incident list` shows the
 * run as running (a live process holds its run lock), not waiting for a resume.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { BIN, runCli, tempProject } from './helpers.js';

const PLAYBOOK = `
id: watch
title: Watch
steps:
  - { id: watching, type: set_status, title: Watching, status: monitoring }
  - { id: hold, type: wait, title: Hold on, duration: 3s, message: "holding now" }
  - { id: end, type: set_status, title: End, status: resolved }
`;

it('a run sees the status another shell set, and records its change from there', async () => {
  const dir = tempProject({ watch: PLAYBOOK });
  const p = spawn(process.execPath, [BIN, 'incident', 'start', '-p', 'watch', '--yes'], {
    cwd: dir,
    env: { PATH: process.env.PATH, PAYCTL_ACTOR: 'runner', CI: '1', NO_COLOR: '1' },
  });
  let out = '';
  const exited = new Promise<number | null>((r) => p.on('close', r));
  await new Promise<void>((resolve, reject) => {
    const seen = () => out.includes('holding now') && resolve();
    p.stdout.on('data', (d) => ((out += d), seen()));
    p.stderr.on('data', (d) => ((out += d), seen()));
    p.on('close', () => reject(new Error(`exited before the wait:\n${out}`)));
  });
  const id = /incident (\d{8}-\d{6}-[0-9a-f]{4})/.exec(out)![1]!;

  const listed = JSON.parse(runCli(dir, ['incident', 'list', '--json']).stdout);
  expect(listed[0]).toMatchObject({ id, run: 'running', waiting: null });
  const set = runCli(dir, ['incident', 'status', id, 'identified'], { PAYCTL_ACTOR: 'other-shell' });
  expect(set.stdout).toContain(`${id}: monitoring → identified`);

  expect(await exited).toBe(0);
  const changes = readFileSync(join(dir, '.payctl', 'incidents', id, 'timeline.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'status_changed')
    .map((e) => `${e.actor}: ${e.data.from} → ${e.data.to}`);
  expect(changes).toEqual(['runner: investigating → monitoring', 'other-shell: monitoring → identified', 'runner: identified → resolved']);
}, 30_000);

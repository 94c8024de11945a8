/** --out (export, postmortem) and --report (drill): never into the store, never over a file without --force, - is stdout, a directory is said. */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempProject } from '../engine/helpers.js';

const PLAYBOOK = `
id: tiny
title: Tiny
steps:
  - { id: end, type: set_status, title: End, status: resolved }
`;

function incident(): { dir: string; id: string; timeline: string } {
  const dir = tempProject({ tiny: PLAYBOOK });
  const r = runCli(dir, ['incident', 'start', '-p', 'tiny', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const id = JSON.parse(r.stdout).incident as string;
  return { dir, id, timeline: join(dir, '.payctl', 'incidents', id, 'timeline.jsonl') };
}

describe('incident export --out', () => {
  it('refuses a path inside the store (the timeline itself, or through a symlink): exit 2, the timeline untouched', () => {
    const { dir, id, timeline } = incident();
    const before = readFileSync(timeline, 'utf8');
    const r = runCli(dir, ['incident', 'export', id, '--out', `.payctl/incidents/${id}/timeline.jsonl`, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out .payctl/incidents/${id}/timeline.jsonl is inside the incident store`);
    symlinkSync(join(dir, '.payctl', 'incidents', id), join(dir, 'link'));
    const viaLink = runCli(dir, ['incident', 'export', id, '--format', 'json', '--out', 'link/timeline.jsonl', '--force']);
    expect(viaLink.code).toBe(2);
    expect(viaLink.stderr).toContain('is inside the incident store');
    const fresh = runCli(dir, ['incident', 'export', id, '--out', `.payctl/incidents/${id}/export.md`]);
    expect(fresh.code).toBe(2);
    expect(readFileSync(timeline, 'utf8')).toBe(before);
    expect(runCli(dir, ['incident', 'verify', id]).code).toBe(0);
  });

  it('refuses an existing file unless --force', () => {
    const { dir, id } = incident();
    writeFileSync(join(dir, 'mine.md'), 'keep me\n');
    const r = runCli(dir, ['incident', 'export', id, '--out', 'mine.md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out mine.md already exists; it was not overwritten');
    expect(r.stderr).toContain('--force');
    expect(readFileSync(join(dir, 'mine.md'), 'utf8')).toBe('keep me\n');
    const forced = runCli(dir, ['incident', 'export', id, '--out', 'mine.md', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'mine.md'), 'utf8')).toContain(id);
  });

  it('- means stdout; a directory is an error that says so', () => {
    const { dir, id } = incident();
    const r = runCli(dir, ['incident', 'export', id, '--format', 'json', '--out', '-']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).incident.id).toBe(id);
    mkdirSync(join(dir, 'exports'));
    const d = runCli(dir, ['incident', 'export', id, '--out', 'exports']);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('--out exports is a directory; name a file');
  });
});

describe('postmortem --out and drill --report', () => {
  it('postmortem: refused inside the store and over an existing file; - prints the draft', () => {
    const { dir, id, timeline } = incident();
    const before = readFileSync(timeline, 'utf8');
    const inside = runCli(dir, ['postmortem', id, '--out', `.payctl/incidents/${id}/timeline.jsonl`]);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toContain('is inside the incident store');
    expect(readFileSync(timeline, 'utf8')).toBe(before);
    writeFileSync(join(dir, 'pm.md'), 'mine\n');
    const existing = runCli(dir, ['postmortem', id, '--out', 'pm.md']);
    expect(existing.code).toBe(2);
    expect(readFileSync(join(dir, 'pm.md'), 'utf8')).toBe('mine\n');
    const stdout = runCli(dir, ['postmortem', id, '--out', '-']);
    expect(stdout.code, stdout.stderr).toBe(0);
    expect(stdout.stdout).toMatch(/^# /m);
    expect(stdout.stdout).not.toContain('Postmortem draft:');
  });

  it('drill --report over an existing file is refused before the drill runs', () => {
    const dir = tempProject({ tiny: `${PLAYBOOK}drill:\n  fault: stripe:down\n  expect: { status: resolved }\n` });
    writeFileSync(join(dir, 'report.json'), '{}\n');
    const r = runCli(dir, ['drill', 'tiny', '--report', 'report.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--report report.json already exists');
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe('{}\n');
    expect(JSON.parse(runCli(dir, ['incident', 'list', '--json']).stdout)).toEqual([]);
  });
});

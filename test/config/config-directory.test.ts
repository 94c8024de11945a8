/**
 * A directory where a YAML file is expected (new-user trial: PAYCTL_CONFIG=/tmp)
 * says it is a directory and what to name instead, however large the directory
 * (a big one used to be reported by its listing's size as a too-large file).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { MAX_YAML_BYTES } from '../../src/source/yaml-file.js';
import { hasStackTrace, runCli } from '../helpers/run-cli.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A directory whose own size (its listing) is over the YAML limit, as /tmp often is. */
function bigDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-big-dir-'));
  made.push(dir);
  const name = 'x'.repeat(200);
  for (let i = 0; statSync(dir).size <= MAX_YAML_BYTES && i < 40_000; i++) writeFileSync(join(dir, `${name}-${i}`), '');
  expect(statSync(dir).size).toBeGreaterThan(MAX_YAML_BYTES);
  return dir;
}

it('PAYCTL_CONFIG naming a large directory: a directory, not a file too large; exit 2', () => {
  const dir = bigDirectory();
  const r = runCli(['check'], { cwd: dir, env: { PAYCTL_CONFIG: dir } });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`payctl: PAYCTL_CONFIG names a directory, not a config file: ${dir}`);
  expect(r.stderr).toContain('hint: name the config file itself');
  expect(r.stderr).not.toContain('KB');
  expect(hasStackTrace(r.stderr)).toBe(false);
});

it('--config naming a directory that holds a config: the hint names the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-conf-dir-'));
  writeFileSync(join(dir, 'payctl.config.yaml'), 'providers: {}\n');
  const r = runCli(['--config', dir, 'check'], { cwd: tmpdir() });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`payctl: --config names a directory, not a config file: ${dir}`);
  expect(r.stderr).toContain(`hint: name the file itself: ${join(dir, 'payctl.config.yaml')}`);
});

it('an answers file that is a large directory: said to be a directory', () => {
  const dir = bigDirectory();
  const project = mkdtempSync(join(tmpdir(), 'payctl-answers-dir-'));
  mkdirSync(join(project, 'playbooks'));
  writeFileSync(
    join(project, 'playbooks', 'p.yaml'),
    'id: p\ntitle: P\nseverity: sev3\nsteps:\n  - id: s\n    title: S\n    type: set_status\n    status: identified\n',
  );
  const r = runCli(['incident', 'start', '-p', 'p', '--answers', dir, '--dry-run', '--yes'], { cwd: project });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${dir}:1:1: is a directory, not a YAML file; name a file in it`);
  expect(r.stderr).not.toContain('KB');
});

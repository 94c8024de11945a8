/**
 * A misspelt `type:` in a step (new-user trial): playbook validate names the
 * misspelt key with the known one, and checks the step as that type, so its
 * other problems (a missing title) are listed in the same run.
 */
import { expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { tempDir, writePlaybook } from './helpers.js';

it('names "tpye" as a misspelt "type" and lists every other problem of the step', () => {
  const dir = tempDir();
  writePlaybook(dir, 'bad.yaml', [
    'id: bad',
    'title: Bad',
    'severity: sev2',
    'steps:',
    '  - id: one',
    '    tpye: manual',
    '    instructions: do it',
    '  - id: two',
    '    title: Two',
    '    type: manual',
  ]);
  const r = runCli(['playbook', 'validate', 'bad.yaml'], { cwd: dir });
  expect(r.code).toBe(2);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toEqual([
    `bad.yaml:5:5: step "one": missing required key "title"`,
    `bad.yaml:6:5: step "one": unknown key "tpye" (did you mean "type"?)`,
  ]);
  expect(r.stderr).toContain('2 problems in 1 of 1 playbook');
});

it('a misspelt type key with a value that is no step type: the key, and the type missing with the known ones', () => {
  const dir = tempDir();
  writePlaybook(dir, 'bad.yaml', ['id: bad', 'title: Bad', 'steps:', '  - id: one', '    title: One', '    tpye: manul']);
  const r = runCli(['playbook', 'validate', 'bad.yaml'], { cwd: dir });
  expect(r.code).toBe(2);
  expect(r.stdout).toContain(`bad.yaml:6:5: step "one": unknown key "tpye" (did you mean "type"?)`);
  expect(r.stdout).toContain(`bad.yaml:4:5: step "one": missing required key "type" (one of: manual,`);
});

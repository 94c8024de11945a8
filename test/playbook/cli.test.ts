/**
 * The built CLI end to end (node bin/payctl.cjs; run `npx tsc -p .` first):
 * playbook validate/list/show and init, exit codes, --json, no stack traces,
 * and bad input files that must fail fast and located.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, REPO, runCli } from '../helpers/run-cli.js';
import { SANDBOX_LIKE_CONFIG, SHIPPED_PLAYBOOK_IDS, tempDir, writePlaybook } from './helpers.js';

const GOOD = ['id: good', 'title: Good', 'steps:', '  - { id: a, title: A, type: manual }'];

describe('payctl playbook validate', () => {
  it('validates every shipped playbook from the repo root with no config, exit 0', () => {
    const r = runCli(['playbook', 'validate']);
    expect(r.stderr).toContain('7 playbooks valid');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(7);
    expect(r.stdout).toContain('ok  playbooks/processor-outage.yaml');
  });

  it('validates the shipped playbooks against a sandbox-like config', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'payctl.config.yaml'),
      SANDBOX_LIKE_CONFIG + `playbooks: ${join(REPO, 'playbooks')}\ntemplates: ${join(REPO, 'templates')}\n`,
    );
    const r = runCli(['playbook', 'validate'], { cwd: dir });
    expect(r.stderr).toContain('7 playbooks valid');
    expect(r.code).toBe(0);
  });

  it('prints file:line:col for every problem of every file and exits 2, without a stack trace', () => {
    const dir = tempDir();
    writePlaybook(dir, 'a.yaml', [
      'id: a',
      'title: A',
      'steps:',
      '  - id: x',
      '    title: X',
      '    type: manual',
      '    when: steps.y.outcome == "ok"',
    ]);
    writePlaybook(dir, 'b.yaml', ['id: b', 'title: B', 'steps:', '  - { id: x, title: X, type: wait, duration: soon }']);
    writePlaybook(dir, 'c.yaml', GOOD);
    const r = runCli(['playbook', 'validate', 'a.yaml', 'b.yaml', 'c.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('a.yaml:7:11: step "x": when: unknown step "y" in steps.y.outcome');
    expect(r.stdout).toMatch(/^b\.yaml:4:46: step "x": duration: "soon" is not a duration/m);
    expect(r.stdout).toContain('ok  c.yaml');
    expect(r.stderr).toContain('payctl: 2 problems in 2 of 3 playbooks');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('a misspelt result field (steps.check.result.staus) is caught at file:line:col with the field it meant', () => {
    const dir = tempDir();
    writePlaybook(dir, 'typo.yaml', [
      'id: typo',
      'title: Typo',
      'steps:',
      '  - { id: check, title: Check, type: check_status, provider: stripe }',
      '  - id: act',
      '    title: Act',
      '    type: manual',
      '    when: steps.check.result.staus == "major_outage"',
    ]);
    const r = runCli(['playbook', 'validate', 'typo.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      'typo.yaml:8:11: step "act": when: steps.check.result.staus: a check_status step\'s result has no "staus" (did you mean status?)',
    );
  });

  it('--json lists every file with its problems and still exits 2', () => {
    const dir = tempDir();
    writePlaybook(dir, 'bad.yaml', ['id: bad', 'title: Bad', 'steps:', '  - { id: x, title: X, type: manuel }']);
    writePlaybook(dir, 'good.yaml', GOOD);
    const r = runCli(['playbook', 'validate', '--json', 'bad.yaml', 'good.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as {
      files: { file: string; ok: boolean; problems: { line: number; col: number; message: string }[] }[];
    };
    expect(json.files).toEqual([
      { file: 'bad.yaml', ok: false, problems: [{ line: 4, col: 30, message: expect.stringContaining('unknown type "manuel"') }] },
      { file: 'good.yaml', ok: true, problems: [] },
    ]);
  });

  it('a directory argument validates the playbooks in it', () => {
    const dir = tempDir();
    writePlaybook(join(dir, 'pbs'), 'good.yaml', GOOD);
    const r = runCli(['playbook', 'validate', 'pbs'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok  pbs/good.yaml');
  });

  it('with no playbooks at all: exit 2 and a hint to run init', () => {
    const r = runCli(['playbook', 'validate'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no playbooks in playbooks/);
    expect(r.stderr).toContain('payctl init');
  });

  describe('bad input files fail fast with file:line:col and exit 2', () => {
    const dir = tempDir();
    const cases: [string, () => void, RegExp][] = [
      [
        'malformed.yaml',
        () => writeFileSync(join(dir, 'malformed.yaml'), 'id: x\ntitle: [unclosed\nsteps:\n  - id: a\n   bad: indent\n'),
        /^malformed\.yaml:3:1: /m,
      ],
      ['empty.yaml', () => writeFileSync(join(dir, 'empty.yaml'), ''), /^empty\.yaml:1:1: file is empty$/m],
      ['binary.yaml', () => writeFileSync(join(dir, 'binary.yaml'), randomBytes(4096)), /^binary\.yaml:1:1: not a text file/m],
      [
        'huge.yaml',
        () => writeFileSync(join(dir, 'huge.yaml'), 'a: "' + 'x'.repeat(10 * 1024 * 1024) + '"\n'),
        /^huge\.yaml:1:1: file is 10\.0 MB; YAML files are limited to 256 KB$/m,
      ],
      [
        'bomb.yaml',
        () => {
          const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
          for (let i = 1; i < 10; i++) {
            const k = String.fromCharCode(97 + i);
            const prev = String.fromCharCode(96 + i);
            lines.push(`${k}: &${k} [${Array(9).fill(`*${prev}`).join(',')}]`);
          }
          writeFileSync(join(dir, 'bomb.yaml'), lines.join('\n') + '\n');
        },
        /^bomb\.yaml:2:\d+: too many alias expansions/m,
      ],
    ];
    for (const [name, make, expected] of cases) {
      it(name, () => {
        make();
        const started = Date.now();
        const r = runCli(['playbook', 'validate', name], { cwd: dir, timeout: 15_000 });
        const elapsed = Date.now() - started;
        expect(r.stdout).toMatch(expected);
        expect(r.code).toBe(2);
        expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
        expect(elapsed).toBeLessThan(5_000); // not hanging (the real figure is ~0.2 s)
      });
    }
  });
});

describe('payctl playbook list and show', () => {
  it('list --json parses and describes the shipped playbooks', () => {
    const r = runCli(['playbook', 'list', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as {
      playbooks: { id: string; title: string; severity: string; steps: number; file: string; valid: boolean }[];
    };
    expect(json.playbooks.map((p) => p.id)).toEqual(SHIPPED_PLAYBOOK_IDS);
    const po = json.playbooks.find((p) => p.id === 'processor-outage')!;
    expect(po).toMatchObject({ severity: 'sev1', valid: true, file: 'playbooks/processor-outage.yaml' });
    expect(po.steps).toBeGreaterThan(10);
  });

  it('list marks an invalid file instead of failing', () => {
    const dir = tempDir();
    writePlaybook(join(dir, 'playbooks'), 'broken.yaml', ['id: [oops']);
    writePlaybook(join(dir, 'playbooks'), 'good.yaml', GOOD);
    const human = runCli(['playbook', 'list'], { cwd: dir });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^invalid\s+1 problem: run payctl playbook validate playbooks\/broken\.yaml/m);
    expect(human.stdout).toMatch(/^good\s+Good\s+sev2\s+1\s+playbooks\/good\.yaml$/m);
    const json = JSON.parse(runCli(['playbook', 'list', '--json'], { cwd: dir }).stdout) as { playbooks: { valid: boolean }[] };
    expect(json.playbooks.map((p) => p.valid)).toEqual([false, true]);
  });

  it('list finds what validate finds (a playbook it calls valid runs)', () => {
    const dir = tempDir();
    // well-formed, but two conditions name a step that does not exist: a run would refuse it
    writePlaybook(join(dir, 'playbooks'), 'linty.yaml', [
      'id: linty',
      'title: Linty',
      'steps:',
      '  - { id: a, title: A, type: manual, when: steps.nope.outcome == "ok" }',
      '  - { id: b, title: B, type: manual, when: steps.nah.outcome == "ok" }',
    ]);
    const validate = runCli(['playbook', 'validate', '--json'], { cwd: dir });
    const found = (JSON.parse(validate.stdout) as { files: { problems: unknown[] }[] }).files[0]!.problems.length;
    expect(found).toBe(2);
    const human = runCli(['playbook', 'list'], { cwd: dir });
    expect(human.stdout).toMatch(/^linty\s+2 problems: run payctl playbook validate playbooks\/linty\.yaml/m);
  });

  it('show prints an outline: inputs with defaults, numbered steps with type, condition and gate', () => {
    const r = runCli(['playbook', 'show', 'processor-outage']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Payment processor outage');
    expect(r.stdout).toMatch(/Inputs\n\s+provider: Which processor is failing\?\s+\[default \{\{ config\.routing\.primary \}\}\]/);
    expect(r.stdout).toMatch(/\d+\. Move card traffic to the backup processor \[switch_provider\] failover/);
    expect(r.stdout).toMatch(/gate Move card traffic from \{\{ inputs\.provider \}\} to \{\{ inputs\.backup \}\}\?/);
    expect(r.stdout).toMatch(/when steps\.wait_recovery\.outcome == "ok"/);
    expect(r.stdout).toContain('Drill');
  });

  it('show --json prints the parsed playbook', () => {
    const r = runCli(['playbook', 'show', 'peak-traffic', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { file: string; playbook: { id: string; steps: unknown[] } };
    expect(json.file).toBe('playbooks/peak-traffic.yaml');
    expect(json.playbook.id).toBe('peak-traffic');
  });

  it('show of an unknown id: exit 2 naming the known ones, no stack trace', () => {
    const r = runCli(['playbook', 'show', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no playbook "nope"');
    expect(r.stderr).toContain('processor-outage');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it("a mistyped id in a project: the project's directory, its own playbooks and the shipped ones, and a did-you-mean", () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'playbooks'));
    writeFileSync(
      join(dir, 'playbooks', 'custom-outage.yaml'),
      ['id: custom-outage', 'title: Custom', 'steps:', '  - { id: a, title: A, type: manual }'].join('\n'),
    );
    writeFileSync(join(dir, 'playbooks', 'broken.yaml'), 'id: broken\ntitle: [unclosed\n');
    const r = runCli(['incident', 'start', '--playbook', 'custom-outag', '--yes'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `no playbook "custom-outag" in ${join(dir, 'playbooks')} or among the shipped ones (did you mean "custom-outage"?)`,
    );
    expect(r.stderr).toMatch(/known playbooks: custom-outage, .*processor-outage/);
    expect(r.stderr).toContain('not readable, so not searched: playbooks/broken.yaml');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('a broken config is reported with its position and exit 2', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'payctl.config.yaml'), 'providers:\n  stripe:\n    kind: stripe\n    colour: blue\n');
    const r = runCli(['playbook', 'list'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('payctl.config.yaml:4:5: providers.stripe: unknown key "colour"');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('payctl init', () => {
  it('writes the config, playbooks, templates and schema; the result validates', () => {
    const dir = tempDir();
    const r = runCli(['init', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { written: string[]; kept: string[] };
    expect(json.kept).toEqual([]);
    expect(json.written).toContain('payctl.config.yaml');
    expect(json.written).toContain('playbooks/processor-outage.yaml');
    expect(json.written).toContain('schema/playbook.schema.json');
    const shippedTemplates = readdirSync(join(REPO, 'templates'), { recursive: true, withFileTypes: true }).filter((e) =>
      e.isFile(),
    ).length;
    expect(json.written.filter((p) => p.startsWith('templates/'))).toHaveLength(shippedTemplates);
    expect(readFileSync(join(dir, 'payctl.config.yaml'), 'utf8')).toMatch(/^# payctl configuration/);
    const v = runCli(['playbook', 'validate'], { cwd: dir });
    expect(v.stderr).toContain('7 playbooks valid');
    expect(v.code).toBe(0);
  });

  it('never overwrites an existing file, and says it kept it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'payctl.config.yaml'), 'store: mine\n');
    mkdirSync(join(dir, 'playbooks'));
    writeFileSync(join(dir, 'playbooks', 'processor-outage.yaml'), '# my own\n');
    const r = runCli(['init'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kept\s+payctl\.config\.yaml \(exists; not overwritten\)/);
    expect(r.stdout).toMatch(/kept\s+playbooks\/processor-outage\.yaml/);
    expect(r.stdout).toMatch(/wrote playbooks\/peak-traffic\.yaml/);
    expect(readFileSync(join(dir, 'payctl.config.yaml'), 'utf8')).toBe('store: mine\n');
    expect(readFileSync(join(dir, 'playbooks', 'processor-outage.yaml'), 'utf8')).toBe('# my own\n');
    // a second run writes nothing
    const again = JSON.parse(runCli(['init', '--json'], { cwd: dir }).stdout) as { written: string[] };
    expect(again.written).toEqual([]);
    expect(existsSync(join(dir, 'templates'))).toBe(true);
  });
});

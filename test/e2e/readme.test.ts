/**
 * The README is the user manual: every `npx payctl …` line in its shell blocks
 * runs here, as written (only `<id>` is filled in with a real incident), in a
 * project whose config points at a sandbox. A command added to the README
 * without a matching rule here is run and must exit 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { BIN, REPO, hasStackTrace, runCliAsync } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

interface Rule {
  match: RegExp;
  /** Expected exit code (default 0). */
  code?: number;
  /** Not run here, and why. */
  skip?: string;
  /** Runs until interrupted: start it, wait for this output, then Ctrl-C it. */
  untilOutput?: RegExp;
  /** Appended to the command (the README's defaults are for real incidents, too slow for a test). */
  extraArgs?: string[];
}

const RULES: Rule[] = [
  { match: /^npx payctl check --watch/, untilOutput: /stripe/ },
  { match: /^npx payctl sandbox /, untilOutput: /sandbox running; Ctrl-C to stop/ },
  // the page serves until Ctrl-C; a free port rather than the default 7878, which may be taken here
  { match: /^npx payctl serve --port /, untilOutput: /read-only\); Ctrl-C to stop/ },
  { match: /^npx payctl serve/, untilOutput: /read-only\); Ctrl-C to stop/, extraArgs: ['--port', '0'] },
  // the interactive form: without a terminal and without --yes, the first gate stops it (exit 3); the pty test covers the terminal
  { match: /^npx payctl incident start --playbook processor-outage$/, code: 3 },
  // the shared-store section's commands need a PostgreSQL database (test/store/*.test.ts run them against one)
  { match: /^npx payctl store (init|import|status)$/, skip: 'needs PostgreSQL; covered by test/store' },
  // its canary failback holds four stages two minutes each by default: the drill's shorter ones here
  {
    match: /^npx payctl incident start --playbook processor-outage --var provider=stripe --yes --json$/,
    extraArgs: ['--var', 'canary_stages=25,100', '--var', 'canary_hold=3s', '--var', 'canary_min_attempts=2'],
  },
  // four stages held two minutes each: test/e2e/shares.test.ts runs the same with short holds
  { match: /^npx payctl failback --canary /, skip: 'holds each stage 2 minutes; test/e2e/shares.test.ts runs it with 2-3 s holds' },
  // the demo's incident has no step waiting for a second person: test/e2e/second-person.test.ts answers waiting runs
  { match: /^npx payctl incident (approve|deny) /, skip: 'needs a run waiting at a second-person gate; test/e2e/second-person.test.ts' },
];

function readmeCommands(): string[] {
  const md = readFileSync(join(REPO, 'README.md'), 'utf8');
  const blocks = [...md.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('npx payctl'));
}

/** A port nothing listens on now: the README's fixed port (4010) may be taken on this machine. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Split a command line into arguments (double quotes only, as the README writes them). */
function argv(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(2);
}

let p: SandboxProject;
let incident = '';

beforeAll(async () => {
  p = await sandboxProject();
  const demo = await runCliAsync(['demo', '--json'], { cwd: p.dir, env: p.env, timeout: 90_000 });
  expect(demo.code).toBe(0);
  incident = JSON.parse(demo.stdout).incident;
}, 120_000);

afterAll(async () => {
  await p?.close();
});

function runUntil(args: string[], pattern: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: p.dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...p.env },
    });
    let out = '';
    let interrupted = false;
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!interrupted && pattern.test(out)) {
        interrupted = true; // one Ctrl-C, as a person would
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ${pattern} within 30 s:\n${out}`));
    }, 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, out: `${out}\n[exit ${code ?? signal}]` });
    });
  });
}

describe('README commands work as written', () => {
  const commands = readmeCommands();

  it("finds the manual's commands", () => {
    expect(commands.length).toBeGreaterThan(20);
    expect(commands).toContain('npx payctl demo');
  });

  for (const line of commands) {
    const rule = RULES.find((r) => r.match.test(line));
    it.skipIf(Boolean(rule?.skip))(
      line,
      async () => {
        const args = [...argv(line).map((a) => (a === '<id>' ? incident : a)), ...(rule?.extraArgs ?? [])];
        const portAt = args.indexOf('--port') + 1;
        if (portAt > 0) args[portAt] = String(await freePort());
        if (rule?.untilOutput) {
          const r = await runUntil(args, rule.untilOutput);
          expect(r.code, r.out).toBe(0);
          if (portAt > 0 && args[0] === 'sandbox') expect(r.out).toContain(`running at http://127.0.0.1:${args[portAt]}`);
          if (portAt > 0 && args[0] === 'serve') expect(r.out).toMatch(new RegExp(`^http://[^\\s]+:${args[portAt]}/$`, 'm'));
          return;
        }
        const r = await runCliAsync(args, { cwd: p.dir, env: p.env, timeout: 90_000 });
        expect(hasStackTrace(r.stderr)).toBe(false);
        expect(r.code, `${line}\n${r.stdout}\n${r.stderr}`).toBe(rule?.code ?? 0);
        if (args.includes('--json')) expect(() => JSON.parse(r.stdout)).not.toThrow();
        if (args[0] === 'sandbox' && args.includes('--write-config'))
          expect(existsSync(join(p.dir, args[args.indexOf('--write-config') + 1]!))).toBe(true);
      },
      120_000,
    );
  }
});

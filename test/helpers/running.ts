/**
 * A long-running built payctl (incident follow, list --watch) spawned as a
 * user runs it: its stdout kept as lines, each with when it arrived, and its
 * stderr as text, with waits on both. killRunning() in afterEach SIGKILLs
 * whatever a test left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Arrivals } from './arrivals.js';
import { BIN } from './run-cli.js';
import { waitUntil } from './wait.js';

export interface Line {
  text: string;
  /** Date.now() when it arrived. */
  at: number;
}

export interface RunningPayctl {
  child: ChildProcess;
  /** The complete stdout lines so far. */
  lines: Line[];
  stderr: () => string;
  /** The first stdout line that matches (already printed or still to come); rejects after `ms`, showing the output. */
  waitForLine: (match: (line: string) => boolean, ms?: number) => Promise<Line>;
  /** Waits until stderr contains `text`; throws after `ms`, showing stderr. */
  waitForStderr: (text: string, ms?: number) => Promise<void>;
  exited: Promise<number | null>;
}

const running: ChildProcess[] = [];

/** SIGKILL every payctl spawned by spawnRunning that is still running (afterEach). */
export function killRunning(): void {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
}

/** payctl `args` in `cwd`; env over PATH, HOME, PAYCTL_ACTOR=follower and NO_COLOR=1. */
export function spawnRunning(args: string[], cwd: string, env: NodeJS.ProcessEnv): RunningPayctl {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PAYCTL_ACTOR: 'follower', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const lines = new Arrivals<Line>();
  let partial = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    const at = Date.now();
    const parts = (partial + d.toString('utf8')).split('\n');
    partial = parts.pop()!;
    lines.push(...parts.map((text) => ({ text, at })));
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines: lines.items,
    stderr: () => err,
    waitForLine: (match, ms = 5000) =>
      lines.waitFor(
        (l) => match(l.text),
        ms,
        'line',
        () => `stdout:\n${lines.items.map((l) => l.text).join('\n')}\nstderr:\n${err}`,
      ),
    waitForStderr: (text, ms = 10_000) =>
      waitUntil(() => err.includes(text), { ms, what: `"${text}" on stderr`, every: 20, seen: () => `stderr:\n${err}` }),
    exited,
  };
}

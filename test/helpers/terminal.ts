/**
 * A program in a pseudo-terminal (node-pty), as a person at a terminal runs it:
 * what it shows is kept as one screen text, keystrokes go in with write(), and
 * waitFor() waits for text to appear after what was already waited for.
 */
import pty, { type IPty } from 'node-pty';
import { BIN } from './run-cli.js';

/** The most screen text kept: a program that loops writing must not fill the test's memory. */
const SCREEN_LIMIT = 1_000_000;

export interface TerminalOptions {
  cwd: string;
  /** Over PATH, TERM=xterm and PAYCTL_ACTOR=pty. */
  env?: Record<string, string | undefined>;
  cols?: number;
  rows?: number;
}

export interface Terminal {
  pty: IPty;
  /** Keystrokes, as typed: '\r' is Enter, '\x03' Ctrl-C, '\x1b[B' arrow down. */
  write(keys: string): void;
  /** Everything shown so far (up to SCREEN_LIMIT characters). */
  screen(): string;
  /**
   * Waits until `text` appears after the start of the previous match (the whole
   * screen the first time); returns the screen text from there up to it. Throws,
   * showing the screen, after `ms`.
   */
  waitFor(text: string | RegExp, ms?: number): Promise<string>;
  /** The exit code. */
  exited: Promise<number>;
  /** The exit code, or 'hung' (and the program SIGKILLed) when it has not exited within `ms`. */
  exitedWithin(ms: number): Promise<number | 'hung'>;
}

/** `file args` in a pseudo-terminal (120×40 unless given). */
export function openTerminal(file: string, args: string[], o: TerminalOptions): Terminal {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ PATH: process.env.PATH, PAYCTL_ACTOR: 'pty', TERM: 'xterm', ...o.env }))
    if (v !== undefined) env[k] = v;
  const p = pty.spawn(file, args, { cwd: o.cwd, cols: o.cols ?? 120, rows: o.rows ?? 40, env });
  let screen = '';
  let from = 0;
  p.onData((d) => {
    if (screen.length < SCREEN_LIMIT) screen += d;
  });
  const exited = new Promise<number>((resolve) => p.onExit(({ exitCode }) => resolve(exitCode)));
  return {
    pty: p,
    write: (keys) => p.write(keys),
    screen: () => screen,
    async waitFor(text, ms = 10_000) {
      const t0 = Date.now();
      for (;;) {
        const rest = screen.slice(from);
        const i = typeof text === 'string' ? rest.indexOf(text) : rest.search(text);
        if (i >= 0) {
          from += i + 1;
          return rest.slice(0, i);
        }
        if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${text}; screen:\n${screen}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    exited,
    exitedWithin(ms) {
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<'hung'>((resolve) => {
        timer = setTimeout(() => {
          p.kill('SIGKILL');
          resolve('hung');
        }, ms);
      });
      return Promise.race([exited, hung]).finally(() => clearTimeout(timer));
    },
  };
}

/** The built payctl in a pseudo-terminal. */
export function payctlInTerminal(args: string[], o: TerminalOptions): Terminal {
  return openTerminal(process.execPath, [BIN, ...args], o);
}

/** Test helpers: a temp project (config + playbooks), a context with captured output, a recording HTTP server. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../src/config/load.js';
import { createContext, type Context, type ContextOptions } from '../../src/context.js';
import type { Prompter, SelectChoice } from '../../src/ui/prompter.js';
import type { StepRegistry } from '../../src/engine/types.js';
import type { StepType } from '../../src/playbook/schema.js';
import { stepHandlers } from '../../src/steps/index.js';

import { BIN } from '../helpers/run-cli.js';

export { BIN };

export function tempProject(playbooks: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-engine-'));
  mkdirSync(join(dir, 'playbooks'));
  writeFileSync(join(dir, 'payctl.config.yaml'), 'store: .payctl/incidents\n');
  for (const [name, text] of Object.entries(playbooks)) writeFileSync(join(dir, 'playbooks', `${name}.yaml`), text);
  return dir;
}

export interface Captured {
  ctx: Context;
  stdout: () => string;
  stderr: () => string;
}

export function testContext(cwd: string, o: Partial<ContextOptions> = {}): Captured {
  const out = new PassThrough();
  const err = new PassThrough();
  let so = '';
  let se = '';
  out.on('data', (d) => (so += d));
  err.on('data', (d) => (se += d));
  const ctx = createContext(
    { cwd, env: { PAYCTL_ACTOR: 'tester', PATH: process.env.PATH }, canPrompt: false, streams: { stdout: out, stderr: err }, ...o },
    loadConfig,
  );
  return { ctx, stdout: () => so, stderr: () => se };
}

/** A prompter that answers from a script, recording the questions (the interface, not inquirer). */
/** A prompter that answers from `answers`, in order; `beforeConfirm` sees each yes/no question before it is answered. */
export function scriptedPrompter(
  answers: unknown[],
  o: { beforeConfirm?: (message: string) => void } = {},
): Prompter & { asked: string[]; notices: string[] } {
  const asked: string[] = [];
  const notices: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    if (!answers.length) throw new Error(`unexpected question: ${message}`);
    return answers.shift();
  };
  return {
    canPrompt: true,
    asked,
    notices,
    async select<T extends string>(message: string, _c: SelectChoice<T>[]) {
      return next(message) as T;
    },
    async confirm(message: string) {
      o.beforeConfirm?.(message);
      return next(message) as boolean;
    },
    async input(message: string) {
      return next(message) as string;
    },
    async checkbox(message: string) {
      return next(message) as string[];
    },
    notice(text: string) {
      notices.push(text);
    },
  };
}

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server on 127.0.0.1:0 recording every request. `respond` picks status and body. */
export async function recordingServer(
  respond: (r: Recorded) => { status?: number; body?: unknown; delayMs?: number } = () => ({}),
): Promise<{ url: string; requests: Recorded[]; close(): Promise<void>; server: Server }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const r = { method: req.method!, url: req.url!, headers: req.headers, body };
      requests.push(r);
      const a = respond(r);
      const send = () => {
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(a.body ?? { ok: true }));
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(cwd: string, args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, PAYCTL_ACTOR: 'tester', CI: '1', ...env },
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function runCliAsync(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH, PAYCTL_ACTOR: 'tester', CI: '1', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A playbook whose run tells customers (POST url/notice), then holds in a 5-minute wait, saying "holding now". */
export const HOLDING_PLAYBOOK = (url: string) => `
id: long
title: Long
steps:
  - { id: notify, type: http, title: Tell customers, method: POST, url: "${url}/notice" }
  - { id: hold, type: wait, title: Hold on, duration: 5m, message: "holding now" }
  - { id: end, type: set_status, title: End, status: resolved }
`;

/** payctl in the background, `reached` once its output shows `until` (stdout and stderr so far), rejected if it exits first. */
export function runUntil(dir: string, args: string[], until: string, env: Record<string, string> = {}) {
  const p = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, PAYCTL_ACTOR: 'tester', CI: '1', NO_COLOR: '1', ...env },
  });
  let out = '';
  const reached = new Promise<string>((resolve, reject) => {
    const seen = () => {
      if (out.includes(until)) resolve(out);
    };
    p.stdout.on('data', (d) => ((out += d), seen()));
    p.stderr.on('data', (d) => ((out += d), seen()));
    p.on('close', () => reject(new Error(`exited before "${until}":\n${out}`)));
  });
  const exited = new Promise<number | null>((r) => p.on('close', r));
  return { p, reached, exited };
}

/** The step handlers, but `type`'s throws `error` once its step has started (as a process killed mid-step, or a handler refusing). */
export function handlersThrowingAt(type: StepType, error: Error): StepRegistry {
  return {
    ...stepHandlers,
    [type]: async () => {
      throw error;
    },
  };
}

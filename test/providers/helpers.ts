/**
 * Test helpers for the provider adapters: a real HTTP server on 127.0.0.1:0
 * that records every request and answers from route handlers, and an async
 * runner of the built CLI (spawnSync would block this process's server).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load.js';
import { createContext, type Context } from '../../src/context.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json?: unknown;
}

/** Answers one request on `res`; what it returns is awaited (a handler may be async) and then ignored. */
export type Handler = (req: Recorded, res: ServerResponse) => unknown;

export interface TestServer {
  url: string;
  requests: Recorded[];
  /** Routes: "METHOD /path" (exact, query ignored) or "/path" for any method. */
  route(key: string, h: Handler): void;
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Handler> = {}): Promise<TestServer> {
  const table = new Map(Object.entries(routes));
  const requests: Recorded[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0]!;
    const rec: Recorded = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
    try {
      rec.json = body ? JSON.parse(body) : undefined;
    } catch {
      /* not JSON */
    }
    requests.push(rec);
    const h = table.get(`${rec.method} ${path}`) ?? table.get(path);
    if (!h) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no route');
      return;
    }
    await h(rec, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (k, h) => void table.set(k, h),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
export const sendText = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);

/** A stream that keeps what was written. */
export class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

export function tempDir(prefix = 'payctl-prov-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A temp project: payctl.config.yaml (given as YAML text) and optional message templates. */
export function tempProject(configYaml: string, templates: Record<string, string> = {}): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'payctl.config.yaml'), configYaml);
  mkdirSync(join(dir, 'templates', 'messages'), { recursive: true });
  for (const [name, text] of Object.entries(templates)) writeFileSync(join(dir, 'templates', 'messages', `${name}.yaml`), text);
  return dir;
}

export function testContext(
  cwd: string,
  env: NodeJS.ProcessEnv,
  o: { json?: boolean; dryRun?: boolean } = {},
): { ctx: Context; stdout: Capture; stderr: Capture } {
  const stdout = new Capture();
  const stderr = new Capture();
  const ctx = createContext(
    { cwd, env: { ...env, NO_COLOR: '1' }, canPrompt: false, json: o.json, dryRun: o.dryRun, streams: { stdout, stderr } },
    loadConfig,
  );
  return { ctx, stdout, stderr };
}

/** The built payctl; runCliAsync runs it without blocking this process (the test servers keep answering). */
export { BIN, runCliAsync } from '../helpers/run-cli.js';

import { IncidentSession } from '../../src/engine/session.js';
import { buildScope } from '../../src/engine/scope.js';
import type { StepRun } from '../../src/engine/types.js';
import type { Step } from '../../src/playbook/schema.js';
import type { Prompter } from '../../src/ui/prompter.js';

let incidentCounter = 0;

/** A real incident (timeline on disk) to run step handlers in. */
export async function openIncident(ctx: Context, severity: 'sev1' | 'sev2' | 'sev3' | 'sev4' = 'sev1'): Promise<IncidentSession> {
  const id = `INC-TEST-${++incidentCounter}`;
  const s = await IncidentSession.create(await ctx.store(), id, ctx.clock);
  await s.append({ type: 'incident_opened', data: { id, title: 'Card payments failing', severity, dry_run: ctx.dryRun, source: 'test' } });
  return s;
}

/** A StepRun as the engine builds it, with the step's values already rendered. */
export function stepRun<S extends Step>(
  ctx: Context,
  session: IncidentSession,
  step: S,
  o: { logs?: string[]; prompter?: Prompter; inputs?: Record<string, unknown> } = {},
): StepRun<S> {
  const logs = o.logs ?? [];
  return {
    step,
    ctx,
    incident: session,
    scope: buildScope(session.state(), ctx.config().config, ctx.clock.now(), o.inputs),
    idempotencyKey: `payctl-${session.id}-${step.id}`,
    attempt: 1,
    dryRun: ctx.dryRun,
    signal: new AbortController().signal,
    prompter: o.prompter ?? ({ canPrompt: false } as Prompter),
    log: (t) => logs.push(t),
  };
}

/** Record a step's completion in the timeline, as the engine would. */
export async function recordStep(
  session: IncidentSession,
  run: StepRun,
  r: { outcome: string; result?: Record<string, unknown> },
): Promise<void> {
  await session.append({
    type: 'step_started',
    step: run.step.id,
    data: { step_type: run.step.type, title: run.step.title, attempt: 1, idempotency_key: run.idempotencyKey },
  });
  await session.append({
    type: 'step_completed',
    step: run.step.id,
    data: { step_type: run.step.type, outcome: r.outcome as 'ok', result: r.result, attempt: 1, duration_ms: 1 },
  });
}

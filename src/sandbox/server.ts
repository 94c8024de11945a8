/**
 * The sandbox: one HTTP server on 127.0.0.1 that emulates every external API
 * payctl talks to (status pages, Statuspage manage API, PagerDuty, Slack,
 * Hyperswitch routing, Prometheus, generic webhooks), with fault injection, a
 * traffic simulation and a request log. It stands in for the outside world, so
 * it imports nothing from the engine, steps or providers. See docs/sandbox.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { InvalidInputError } from '../errors.js';
import { sandboxConfig, sandboxConfigYaml, sandboxEnvFor, type SandboxEnv } from './config.js';
import { handleControl } from './control.js';
import { API_TARGETS, parseFaultSpecs, type Fault } from './faults.js';
import {
  flatHeaders,
  json,
  parseBody,
  readRawBody,
  serializeBody,
  type RecordedRequest,
  type Reply,
  type SandboxRequest,
  iso,
} from './http.js';
import { handlePrometheus } from './prometheus.js';
import { metricsReply } from './exposition.js';
import { RequestLog, type RequestFilter } from './request-log.js';
import { garbled, rateLimited, serverError } from './responses.js';
import { handleStatusPage } from './status-pages.js';
import { checkProviders, createWorld, resetWorld, worldState } from './world.js';

export const DEFAULT_PROVIDERS = ['stripe', 'adyen', 'braintree'] as const;
export const DEFAULT_ORDERS_PER_MINUTE = 120;

export interface SandboxOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Emulated providers, first = routing primary (default stripe, adyen, braintree). */
  providers?: string[];
  /** A fault spec injected at start, e.g. "stripe:down". */
  fault?: string;
  /** How long the observed success rate takes to reach a new target (default 2000 ms). */
  transitionMs?: number;
  /** When a provider's status-page incident moves from investigating to identified (default 5000 ms). */
  identifyAfterMs?: number;
  /** Simulated payments per minute over all providers (default 120). */
  ordersPerMinute?: number;
  /** Clock in epoch ms (tests). */
  now?: () => number;
  /** Called after each emulated-API request is answered (or left hanging). */
  onRequest?: (r: RecordedRequest) => void;
}

export interface SandboxHandle {
  url: string;
  port: number;
  providers: readonly string[];
  /** Simulated payments per minute over all providers. */
  ordersPerMinute: number;
  /** Stops listening and drops every connection, hanging ones included. */
  close(): Promise<void>;
  configObject(): Record<string, unknown>;
  configYaml(): string;
  /** The fake env values the config's env: secrets expect. */
  env(): SandboxEnv;
  injectFault(spec: string): Fault[];
  heal(target?: string): Fault[];
  faults(): Fault[];
  requests(filter?: RequestFilter): RecordedRequest[];
  state(): SandboxState;
  /** Customers' lowest overall success rate (all providers, as simulated) between two times in epoch ms. */
  lowestSuccessRate(from: number, to: number): { rate: number; at: string } | undefined;
  /** Heal everything, restore the routing order, forget received requests and messages. */
  reset(): void;
}

export type SandboxState = ReturnType<typeof worldState>;

/** The env vars (values) the sandbox config expects, for the demo, drills and tests. */
export function sandboxEnv(handle: Pick<SandboxHandle, 'url'>): SandboxEnv {
  return sandboxEnvFor(handle.url);
}

/** Which emulated API a path belongs to, and the rest of the path below its base. */
function routeOf(path: string, providers: readonly string[]): { target: string; api: string; rest: string } | undefined {
  const m = /^\/([^/]+)(\/[^/]+)?(.*)$/.exec(path);
  if (!m) return undefined;
  const [, first, second = '', tail] = m as unknown as [string, string, string | undefined, string];
  if (first === 'status') {
    const p = second.slice(1);
    return providers.includes(p) ? { target: p, api: 'provider', rest: tail } : undefined;
  }
  if ((API_TARGETS as readonly string[]).includes(first)) return { target: first, api: first, rest: second + tail };
  return undefined;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const providers = [...(opts.providers ?? DEFAULT_PROVIDERS)];
  checkProviders(providers);
  if (opts.fault) parseFaultSpecs(opts.fault, providers); // fail before listening
  const now = opts.now ?? Date.now;
  const ordersPerMinute = opts.ordersPerMinute ?? DEFAULT_ORDERS_PER_MINUTE;
  if (!Number.isFinite(ordersPerMinute) || ordersPerMinute <= 0)
    throw new InvalidInputError(`ordersPerMinute must be a positive number, got ${ordersPerMinute}`);
  const log = new RequestLog();
  const world = createWorld({
    providers,
    now,
    transitionMs: opts.transitionMs,
    identifyAfterMs: opts.identifyAfterMs,
    ordersPerMinute,
  });
  const { faults } = world;

  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let url = '';

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function dispatch(route: { target: string; api: string; rest: string }, req: SandboxRequest, nan: boolean): Reply {
    switch (route.api) {
      case 'provider':
        return handleStatusPage(world, route.target, route.rest, req);
      case 'statuspage':
        return world.manage.handle(route.rest, req);
      case 'pagerduty':
        return world.pagerduty.handle(route.rest, req);
      case 'slack':
        return world.slack.handle(route.rest, req);
      case 'hyperswitch':
        return world.routing.handle(route.rest, req);
      case 'prometheus':
        return handlePrometheus(world, route.rest, req, nan);
      case 'webhook':
        return world.webhooks.handle(route.rest, req);
      default:
        return json(404, { error: 'not found' });
    }
  }

  function write(res: ServerResponse, reply: Reply): void {
    const { contentType, payload } = serializeBody(reply);
    res.writeHead(reply.status, { 'content-type': contentType, 'content-length': Buffer.byteLength(payload), ...reply.headers });
    res.end(payload);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const rawBody = await readRawBody(req);
    const headers = flatHeaders(req);
    const { body, bodyError } = parseBody(rawBody, headers['content-type']);
    const sreq: SandboxRequest = {
      seq: 0,
      time: iso(now()),
      method: (req.method ?? 'GET').toUpperCase(),
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers,
      body,
      rawBody,
      bodyError,
    };
    if (u.pathname.startsWith('/_control/') || u.pathname === '/_control') {
      return write(res, handleControl(api, u.pathname.slice('/_control'.length), sreq));
    }
    if (u.pathname === '/' && sreq.method === 'GET') return write(res, json(200, index()));
    // scraped every few seconds by a real Prometheus: not an emulated API call, not logged
    if (u.pathname === '/metrics' && sreq.method === 'GET') return write(res, metricsReply(world));
    sreq.seq = log.nextSeq();
    const { rawBody: _raw, bodyError: _err, ...record } = sreq;
    const route = routeOf(u.pathname, providers);
    if (route) record.target = route.target;
    log.add(record);
    const finish = (reply: Reply) => {
      if (closed) return;
      write(res, reply);
      record.status = reply.status;
      opts.onRequest?.(structuredClone(record));
    };
    if (!route) return finish(json(404, { error: `nothing is emulated at ${u.pathname}`, see: `${url}/` }));
    const latency = faults.get(route.target, 'latency');
    if (latency?.latencyMs) await delay(latency.latencyMs);
    if (closed) return;
    const fault = faults.takeResponseFault(route.target);
    if (fault?.kind === 'hang') {
      opts.onRequest?.(structuredClone(record));
      return; // never answered; close() destroys the socket
    }
    if (fault?.kind === 'errors') return finish(serverError(route.api));
    if (fault?.kind === 'rate_limit') return finish(rateLimited(route.api));
    const reply = dispatch(route, { ...sreq, target: route.target }, fault?.kind === 'nan');
    finish(fault?.kind === 'garbage' ? garbled(reply, fault.garbage ?? 'truncated') : reply);
  }

  function index() {
    return {
      sandbox: 'payctl sandbox: emulated provider APIs (see docs/sandbox.md)',
      status_pages: Object.fromEntries(providers.map((p) => [p, `${url}/status/${p}/api/v2/summary.json`])),
      statuspage_manage: `${url}/statuspage/v1/pages/sandbox-page/incidents`,
      pagerduty: `${url}/pagerduty/v2/enqueue`,
      slack: `${url}/slack/services/T000/B000/<token>`,
      hyperswitch: `${url}/hyperswitch/routing/default`,
      prometheus: `${url}/prometheus/api/v1/query`,
      metrics: `${url}/metrics`,
      webhooks: `${url}/webhook/<name>`,
      control: `${url}/_control/{fault,heal,requests,state,reset,config,env}`,
    };
  }

  const api = {
    injectFault: (spec: string) => faults.inject(spec),
    heal: (target?: string) => faults.heal(target),
    faults: () => faults.list(),
    requests: (filter?: RequestFilter) => log.list(filter),
    clearRequests: () => log.clear(),
    state: () => worldState(world, url, log.count()),
    reset: () => {
      resetWorld(world);
      log.reset();
    },
    configObject: () => sandboxConfig(url, providers, ordersPerMinute),
    env: () => sandboxEnvFor(url),
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      if (!res.headersSent && !closed) write(res, json(500, { error: `sandbox bug: ${e instanceof Error ? e.message : String(e)}` }));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const hint = 'pick another with --port, or omit it for a free one';
      if (e.code === 'EADDRINUSE') reject(new InvalidInputError(`port ${opts.port} is already in use`, hint));
      else if (e.code === 'EACCES') reject(new InvalidInputError(`no permission to listen on port ${opts.port}`, hint));
      else reject(e);
    });
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  if (opts.fault) {
    faults.inject(opts.fault);
    world.simulation.reset(); // a fault present from the start: no transition from healthy
  }

  return {
    url,
    port,
    providers,
    ordersPerMinute,
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        faults.dispose();
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
    configObject: api.configObject,
    configYaml: () => sandboxConfigYaml(url, providers, ordersPerMinute),
    env: api.env,
    injectFault: api.injectFault,
    heal: api.heal,
    faults: api.faults,
    requests: api.requests,
    state: api.state,
    lowestSuccessRate: (from: number, to: number) => {
      const low = world.simulation.lowestObserved(from, to);
      return low && { rate: low.rate, at: iso(low.at) };
    },
    reset: api.reset,
  };
}

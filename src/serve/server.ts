/**
 * The HTTP server of payctl serve (node:http): read-only pages and their
 * server-sent events.
 *
 *   GET /                        the open and recent incidents
 *   GET /events                  the list, re-rendered when an incident is created or changes
 *   GET /incidents/<id>          one incident
 *   GET /incidents/<id>/events   its new timeline entries and summary (Last-Event-ID or ?after=<seq>)
 *
 * /favicon.ico is 204 (none); anything else is 404; other methods 405. Every answer forbids caching,
 * framing and any script but the page's own (assets.ts). Bound to a loopback
 * address, it answers only requests addressed to a loopback name (a web page
 * elsewhere cannot read it through DNS rebinding).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { InvalidInputError, messageOf } from '../errors.js';
import type { Store } from '../store/store.js';
import { CONTENT_SECURITY_POLICY } from './assets.js';
import { openGate, tokenGate, type Gate } from './auth.js';
import { Feeds, type Subscriber } from './feeds.js';
import { incidentPage, listPage, messagePage } from './pages.js';
import { isIncidentId, readPostmortem } from './read-model.js';

export interface ServeOptions {
  host: string;
  port: number;
  token?: string;
  store: Store;
  /** This machine's store directory: where postmortem drafts are written. */
  storeDir: string;
  now?: () => Date;
  /** A request or a watch failed; for stderr. */
  onError: (message: string) => void;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  /** Stop listening, end every event stream and watch. */
  close(): Promise<void>;
}

/** A comment line on idle streams, so proxies and browsers keep them open. */
const HEARTBEAT_MS = 25_000;
/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 2000;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function hostName(header: string | undefined): string {
  const h = (header ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d+$/, '');
}

function baseHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
}

function sendPage(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** An SSE stream on `res`: each event's data split into lines. */
function eventStream(req: IncomingMessage, res: ServerResponse, streams: Set<ServerResponse>): Subscriber & { closed: Promise<void> } {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.write(`retry: ${RETRY_MS}\n\n`);
  streams.add(res);
  const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
  const closed = new Promise<void>((resolve) =>
    req.socket.once('close', () => {
      clearInterval(heartbeat);
      streams.delete(res);
      resolve();
    }),
  );
  return {
    closed,
    send(event, data, id) {
      if (res.writableEnded) return;
      const lines = data.split(/\r\n|\r|\n/).map((l) => `data: ${l}\n`);
      res.write(`event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}${lines.join('')}\n`);
    },
    end() {
      clearInterval(heartbeat);
      streams.delete(res);
      res.end();
    },
  };
}

function afterSeq(req: IncomingMessage, url: URL): number {
  const raw = req.headers['last-event-id'] ?? url.searchParams.get('after') ?? '0';
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const now = o.now ?? (() => new Date());
  const gate: Gate = o.token ? tokenGate(o.token) : openGate;
  const feeds = new Feeds({ store: o.store, storeDir: o.storeDir, now, onError: o.onError });
  const streams = new Set<ServerResponse>();
  const loopbackOnly = isLoopback(o.host);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    baseHeaders(res);
    if (loopbackOnly && !isLoopback(hostName(req.headers.host)))
      return sendPage(req, res, 403, messagePage('Forbidden', 'This server answers only to the loopback address it listens on.'));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendPage(req, res, 405, messagePage('Method not allowed', 'This page is read-only.'));
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const auth = gate.check(req, url);
    if (auth.ok === 'redirect') {
      res.statusCode = 303;
      res.setHeader('Set-Cookie', auth.cookie);
      res.setHeader('Location', auth.location);
      return void res.end();
    }
    if (!auth.ok) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="payctl serve"');
      return sendPage(
        req,
        res,
        401,
        messagePage(
          'Access token needed',
          'Open the link you were given, which ends in ?token=…, or ask whoever runs payctl serve for it.',
        ),
      );
    }
    const path = url.pathname;
    // browsers ask for it on every page: nothing, rather than a 404 in their console
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    if (path === '/') return sendPage(req, res, 200, listPage(await feeds.listFeed().incidents(), now()));
    if (req.method === 'HEAD' && path.endsWith('/events')) return void res.writeHead(200, { 'Content-Type': 'text/event-stream' }).end();
    if (path === '/events') {
      const stream = eventStream(req, res, streams);
      const remove = await feeds.listFeed().add(stream);
      return stream.closed.then(remove);
    }
    const m = /^\/incidents\/([^/]+)(\/events)?$/.exec(path);
    const id = m ? decodeURIComponent(m[1]!) : undefined;
    const feed = id && isIncidentId(id) ? await feeds.incident(id) : undefined;
    if (!feed) return sendPage(req, res, 404, messagePage('Not found', m ? `There is no incident ${id}.` : 'There is no such page.'));
    if (!m![2]) return sendPage(req, res, 200, incidentPage(feed.view, readPostmortem(o.storeDir, feed.view.id), now()));
    const stream = eventStream(req, res, streams);
    const remove = feed.add(stream, afterSeq(req, url));
    return stream.closed.then(remove);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      o.onError(`${req.method} ${(req.url ?? '').replace(/token=[^&]*/g, 'token=***')}: ${messageOf(e)}`);
      if (res.headersSent) return void res.end();
      sendPage(
        req,
        res,
        500,
        messagePage('Something went wrong', 'The incident store could not be read; payctl serve said why on its stderr.'),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, o.host, o.port)));
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  // every interface (0.0.0.0, ::) is not an address anyone can open: the URL names this machine
  const everyInterface = addr.address === '0.0.0.0' || addr.address === '::';
  const shownHost = everyInterface ? hostname() : addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}/`,
    host: addr.address,
    port: addr.port,
    async close() {
      await feeds.close();
      for (const res of streams) res.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function listenError(e: NodeJS.ErrnoException, host: string, port: number): Error {
  if (e.code === 'EADDRINUSE')
    return new InvalidInputError(`port ${port} on ${host} is already in use`, 'choose another with --port, or --port 0 for a free one');
  if (e.code === 'EACCES')
    return new InvalidInputError(`not allowed to listen on port ${port}`, 'ports below 1024 need privileges: use a higher --port');
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
    return new InvalidInputError(
      `--host ${host}: not an address of this machine (${e.code})`,
      'use 127.0.0.1 (the default), or an address this machine has',
    );
  return e;
}

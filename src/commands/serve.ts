/**
 * payctl serve: a read-only web page of open and recent incidents, updated
 * live, until Ctrl-C (exit 0). Binds 127.0.0.1 unless --host says otherwise;
 * an access token (--token, or PAYCTL_SERVE_TOKEN) guards it. Prints the URL
 * on stdout (or { url, host, port, token_required } with --json); the token
 * itself is never printed.
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { registerSecret, resolveSecret } from '../secrets.js';
import { MIN_TOKEN_LENGTH } from '../serve/auth.js';

export interface ServeCommandOptions {
  port?: string;
  host?: string;
  token?: string;
  json?: boolean;
}

export const DEFAULT_PORT = 7878;
export const TOKEN_ENV = 'PAYCTL_SERVE_TOKEN';

function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidInputError(`--port: "${text}" is not a port number (0–65535; 0 picks a free one)`);
  return n;
}

/** The token from --token (a value, or env:NAME) or PAYCTL_SERVE_TOKEN; undefined for none. */
function accessToken(ctx: Context, flag: string | undefined): string | undefined {
  const token = flag !== undefined ? resolveSecret(flag, '--token', ctx.env) : ctx.env[TOKEN_ENV] || undefined;
  if (token === undefined) return undefined;
  const from = flag !== undefined ? '--token' : TOKEN_ENV;
  if (token.trim().length < MIN_TOKEN_LENGTH || /\s/.test(token))
    throw new InvalidInputError(
      `${from}: an access token needs at least ${MIN_TOKEN_LENGTH} characters and no spaces`,
      `make one with: openssl rand -hex 16   (and pass it as ${TOKEN_ENV}, which other users of this machine cannot see in ps)`,
    );
  registerSecret(token); // masked wherever it would be printed, like any secret
  return token;
}

function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const on = (sig: NodeJS.Signals) => done(sig);
    // the listeners stay while the server closes: a second Ctrl-C does not kill it with 130
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function serve(ctx: Context, opts: ServeCommandOptions): Promise<void> {
  const port = parsePort(opts.port ?? String(DEFAULT_PORT));
  const host = opts.host ?? '127.0.0.1';
  const token = accessToken(ctx, opts.token);
  const store = await ctx.store();
  const { startServer } = await import('../serve/server.js');
  const stopped = untilStopped();
  const server = await startServer({
    host,
    port,
    token,
    store,
    storeDir: ctx.config().storeDir,
    onError: (m) => ctx.out.warn(m),
  });
  if (ctx.out.jsonMode) ctx.out.json({ url: server.url, host: server.host, port: server.port, token_required: Boolean(token) });
  else ctx.out.line(server.url);
  const exposed = !/^(127\.|::1$|localhost$)/.test(server.host);
  if (exposed && !token)
    ctx.out.warn(
      `listening on ${server.host} without an access token: anyone who can reach this address reads your incidents (set ${TOKEN_ENV})`,
    );
  if (token) ctx.out.info('open it once with ?token=<your token> (a browser then keeps a cookie), or send Authorization: Bearer <token>');
  ctx.out.info(`serving the incidents of ${store.location} (read-only); Ctrl-C to stop`);
  const sig = await stopped;
  ctx.out.info(`stopping (${sig === 'SIGINT' ? 'Ctrl-C' : sig})`);
  await server.close();
}

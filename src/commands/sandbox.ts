/**
 * `payctl sandbox`: run the local provider emulator until SIGINT/SIGTERM,
 * printing its URL, the (fake) env exports and the config that points at it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { describeFault } from '../sandbox/faults.js';
import type { RecordedRequest } from '../sandbox/http.js';
import { startFaults, type StartFaults } from './sandbox-faults.js';

export interface SandboxCommandOptions {
  port?: string;
  /** Start with this playbook's drill fault (or, with scenario, its drill scenario's). */
  playbook?: string;
  /** With playbook: one of its drill.scenarios; alone: a playbook (the older form of --playbook). */
  scenario?: string;
  writeConfig?: string;
  ordersPerMinute?: string;
  json?: boolean;
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidInputError(`--port: "${text}" is not a port number (0–65535; 0 picks a free one)`);
  return n;
}

function parseOrdersPerMinute(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidInputError(
      `--orders-per-minute: "${text}" is not a positive number of payments per minute`,
      'e.g. --orders-per-minute 1200 (20 payments a second; the default is 120)',
    );
  return n;
}

/** One stderr line per request; Slack tokens (part of the webhook URL) masked. */
function requestLine(r: RecordedRequest): string {
  const time = r.time.slice(11, 19);
  const path = r.path.replace(/^(\/slack\/services\/[^/]+\/[^/]+\/).+$/, '$1***');
  return `${time}  ${r.method.padEnd(5)} ${path}  ${r.status ?? 'left hanging'}`;
}

function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

export async function sandbox(ctx: Context, opts: SandboxCommandOptions): Promise<void> {
  const port = parsePort(opts.port ?? '0');
  const flagOrders = opts.ordersPerMinute === undefined ? undefined : parseOrdersPerMinute(opts.ordersPerMinute);
  const configFile = opts.writeConfig ? resolve(ctx.cwd, opts.writeConfig) : undefined;
  if (configFile && existsSync(configFile)) {
    throw new InvalidInputError(
      `${configFile} already exists; payctl sandbox never overwrites a file`,
      'remove it first, or pass another path to --write-config',
    );
  }
  const scenario = startFaults(ctx, opts);
  const { startSandbox } = await import('../sandbox/server.js');
  const handle = await startSandbox({
    port,
    fault: scenario?.fault,
    ordersPerMinute: flagOrders ?? scenario?.ordersPerMinute,
    onRequest: (r) => ctx.out.info(requestLine(r)),
  });
  // listen for Ctrl-C before telling anyone the sandbox is up
  const stopped = untilStopped();
  try {
    if (configFile) writeFileSync(configFile, handle.configYaml(), { flag: 'wx' });
    const env = handle.env();
    if (ctx.out.jsonMode) {
      ctx.out.json({
        url: handle.url,
        port: handle.port,
        providers: handle.providers,
        orders_per_minute: handle.ordersPerMinute,
        faults: handle.faults().map((f) => f.spec),
        ...(scenario ? { playbook: scenario.playbook, ...(scenario.scenario ? { scenario: scenario.scenario } : {}) } : {}),
        env,
        config: handle.configObject(),
        ...(configFile ? { config_file: configFile } : {}),
      });
    } else {
      printHuman(ctx, handle, env, configFile, scenario);
    }
    ctx.out.info('sandbox running; Ctrl-C to stop');
    const sig = await stopped;
    ctx.out.info(`sandbox stopping (${sig})`);
  } finally {
    await handle.close();
  }
}

function printHuman(
  ctx: Context,
  handle: Awaited<ReturnType<typeof import('../sandbox/server.js').startSandbox>>,
  env: Record<string, string>,
  configFile: string | undefined,
  scenario: StartFaults | undefined,
): void {
  const { out } = ctx;
  const b = out.color.bold;
  const [primary, ...backups] = handle.providers;
  out.line(`${b('payctl sandbox')} running at ${b(handle.url)}`);
  out.line(`  providers: ${primary} (primary)${backups.length ? ', ' + backups.join(', ') : ''}`);
  out.line(`  traffic: ${handle.ordersPerMinute} simulated payments per minute`);
  if (scenario) {
    const whose = scenario.scenario ? `drill scenario ${scenario.scenario} of ${scenario.file}` : `drill fault of ${scenario.file}`;
    out.line(`  faults: ${handle.faults().map(describeFault).join(', ')} (${whose})`);
  }
  out.line();
  out.line('Export these sandbox-only fake secrets where you run payctl:');
  for (const [k, v] of Object.entries(env)) out.line(`  export ${k}=${shellQuote(v)}`);
  out.line();
  if (configFile) {
    out.line(`Config written to ${configFile}; try: payctl --config ${configFile} check`);
  } else {
    out.line('Config (save it as payctl.config.yaml, or rerun with --write-config <file>):');
    out.line();
    out.line(handle.configYaml().trimEnd());
  }
  out.line();
  out.line('Control it:');
  out.line(`  curl -s -X POST ${handle.url}/_control/fault -H 'content-type: application/json' -d '{"spec":"stripe:down"}'`);
  out.line(`  curl -s -X POST ${handle.url}/_control/heal`);
  out.line(`  curl -s ${handle.url}/_control/requests`);
  out.line(`  curl -s ${handle.url}/_control/state`);
  out.line('Requests are logged below (stderr).');
}

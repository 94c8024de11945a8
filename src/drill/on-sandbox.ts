/**
 * Running payctl against the embedded sandbox, in-process: start it on a free
 * port, and build a context whose config is the sandbox's (providers, routing,
 * channels, metrics) while the store, playbooks and templates stay the user's.
 * Used by `payctl drill` and `payctl demo`.
 */
import { Config } from '../config/schema.js';
import { createContext, type Context, type ContextOptions } from '../context.js';
import { startSandbox, type SandboxHandle } from '../sandbox/server.js';

export interface OnSandbox {
  sandbox: SandboxHandle;
  ctx: Context;
  close(): Promise<void>;
}

export async function runOnSandbox(
  user: Context,
  opts: { fault?: string; ordersPerMinute?: number } & Pick<ContextOptions, 'yes' | 'json' | 'canPrompt'>,
): Promise<OnSandbox> {
  const mine = user.config(); // the user's store, playbooks and templates (and a clear error if their config is broken)
  const sandbox = await startSandbox({ fault: opts.fault, ordersPerMinute: opts.ordersPerMinute });
  const env = { ...user.env, ...sandbox.env() };
  // adapters resolve env: secrets from the context's env; the process env gets them too for anything spawned
  Object.assign(process.env, sandbox.env());
  const config = Config.parse(sandbox.configObject());
  const sandboxConfig = { ...mine, file: undefined, config: { ...config, store: mine.config.store } };
  const ctx = createContext(
    {
      cwd: user.cwd,
      env,
      yes: opts.yes,
      json: opts.json,
      ...(opts.canPrompt !== undefined ? { canPrompt: opts.canPrompt } : {}),
      clock: user.clock,
      streams: user.streams,
      stdin: user.stdin,
    },
    () => sandboxConfig,
  );
  return { sandbox, ctx, close: () => sandbox.close() };
}

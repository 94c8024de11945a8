/**
 * The one context object, built once per command and passed down: config,
 * whether a person can be asked, dry-run, output and clock.
 *
 * createContext() takes the function that loads the config (a ConfigLoader),
 * called on the context's first config(): the CLI passes the cached loader
 * (config/cache.ts), tests pass config/load.ts's loadConfig, drills and the
 * demo one that returns the sandbox's config. So this module, which every
 * command imports, loads neither YAML nor zod.
 */
import { isatty } from 'node:tty';
import type { LoadedConfig } from './config/find.js';
import { createOutput, type Output, type Streams } from './output.js';
import { systemClock, type Clock } from './clock.js';
import { registerPlaybookSecrets, registerSecretsIn } from './secrets.js';
import { packagePath } from './package-root.js';
import { localStoreDir } from './store/spec.js';
import type { Store } from './store/store.js';

export interface Context {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A person can be asked: stdin and stdout are terminals, CI unset, no --yes. */
  canPrompt: boolean;
  /** Why no person can be asked ("stdout is not a terminal", "--yes", ...); undefined when one can. */
  unattendedReason?: string;
  /** --yes: approvals are given without asking. */
  yes: boolean;
  dryRun: boolean;
  out: Output;
  clock: Clock;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  streams: Streams;
  /** --config, when given. */
  configPath?: string;
  /** The config, loaded on first use (so --help never reads it). */
  config(): LoadedConfig;
  /**
   * The incident store (config `store:`, PAYCTL_STORE), opened on first use;
   * closed by closeStore() when the command ends.
   */
  store(): Promise<Store>;
  /** Close the store if it was opened (connections, descriptors). */
  closeStore(): Promise<void>;
}

export interface ContextOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
  configPath?: string;
  clock?: Clock;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  streams?: Streams;
  /** Force canPrompt (tests). */
  canPrompt?: boolean;
}

export function isCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Finds, reads and checks the config: (cwd, --config, env) → the loaded config. */
export type ConfigLoader = (cwd: string, explicit: string | undefined, env: NodeJS.ProcessEnv) => LoadedConfig;

/**
 * The values of every env: the config and the playbooks (the project's and the
 * shipped ones it may fall back to) name: masked in all output, used by this
 * command or not.
 */
function registerKnownSecrets(loaded: LoadedConfig, env: NodeJS.ProcessEnv): void {
  registerSecretsIn(loaded.config, env);
  registerPlaybookSecrets(loaded.playbooksDir, env);
  const shipped = packagePath('playbooks');
  if (shipped !== loaded.playbooksDir) registerPlaybookSecrets(shipped, env);
}

export function createContext(o: ContextOptions, loadConfig: ConfigLoader): Context {
  const env = o.env ?? process.env;
  const streams = o.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const yes = Boolean(o.yes);
  // isatty(0) rather than process.stdin.isTTY: process.stdin is built on first use, and when it is a
  // file (/dev/null in CI) that loads fs streams and fs/promises (~2 ms), for runs that never read it
  const stdinIsTTY = o.stdin ? Boolean(o.stdin.isTTY) : isatty(0);
  const canPrompt = o.canPrompt ?? (stdinIsTTY && Boolean(streams.stdout.isTTY) && !isCI(env) && !yes);
  const unattendedReason = canPrompt
    ? undefined
    : o.canPrompt === false
      ? 'no person to ask'
      : yes
        ? '--yes'
        : isCI(env)
          ? 'CI is set'
          : !streams.stdout.isTTY
            ? 'stdout is not a terminal'
            : 'stdin is not a terminal';
  const cwd = o.cwd ?? process.cwd();
  let loaded: LoadedConfig | undefined;
  let store: Promise<Store> | undefined;
  return {
    cwd,
    env,
    canPrompt,
    unattendedReason,
    yes,
    dryRun: Boolean(o.dryRun),
    out: createOutput(streams, env, Boolean(o.json)),
    clock: o.clock ?? systemClock,
    get stdin() {
      return o.stdin ?? process.stdin;
    },
    streams,
    configPath: o.configPath,
    config() {
      if (!loaded) {
        const l = loadConfig(cwd, o.configPath, env);
        // PAYCTL_STORE naming a directory is this command's local store
        loaded = { ...l, storeDir: localStoreDir(l.storeDir, env, cwd) };
        registerKnownSecrets(loaded, env); // redacted everywhere, used by this command or not
      }
      return loaded;
    },
    store() {
      store ??= import('./store/open.js').then((m) => m.openStore(this.config(), env, this.out));
      return store;
    },
    async closeStore() {
      const s = store;
      store = undefined;
      if (s) await (await s.catch(() => undefined))?.close();
    },
  };
}

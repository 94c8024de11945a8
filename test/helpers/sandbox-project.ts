/**
 * A project directory as a user would have it (playbooks/, templates/ and a
 * payctl.config.yaml) pointing at a sandbox running in the test process.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { REPO } from './run-cli.js';

export interface SandboxProject {
  dir: string;
  sandbox: SandboxHandle;
  /** The fake secrets the config's env: values name. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A temp directory with copies of the shipped playbooks/ and templates/, as after a clone. */
export function tempProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-project-'));
  cpSync(join(REPO, 'playbooks'), join(dir, 'playbooks'), { recursive: true });
  cpSync(join(REPO, 'templates'), join(dir, 'templates'), { recursive: true });
  return dir;
}

export async function sandboxProject(
  opts: { fault?: string; withConfig?: boolean; ordersPerMinute?: number } = {},
): Promise<SandboxProject> {
  const dir = tempProject();
  const sandbox = await startSandbox({ fault: opts.fault, ...(opts.ordersPerMinute ? { ordersPerMinute: opts.ordersPerMinute } : {}) });
  if (opts.withConfig !== false) writeFileSync(join(dir, 'payctl.config.yaml'), sandbox.configYaml());
  return { dir, sandbox, env: { ...sandbox.env() }, close: () => sandbox.close() };
}

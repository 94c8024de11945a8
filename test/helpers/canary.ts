/**
 * Canary failback end to end against the sandbox: a sandbox project per test
 * (closed after it), the built payctl run in it as `ci`, the routing-algorithm
 * writes the emulated Hyperswitch took, a canary playbook and the failback
 * command line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { RecordedRequest } from '../../src/sandbox/http.js';
import { type CliResult, runCliAsync } from './run-cli.js';
import { type SandboxProject, sandboxProject } from './sandbox-project.js';

/** Orders a minute: 100 payments a second, so a 10% stage sees enough of them within a 2 s hold. */
export const BUSY = 6000;

export interface CanaryProjects {
  /** This test's sandbox project (closed after the test). */
  open(opts?: Parameters<typeof sandboxProject>[0]): Promise<SandboxProject>;
  /** payctl in the open project, as `ci`, with its sandbox's secrets. */
  run(args: string[]): Promise<CliResult>;
  /** The routing-algorithm writes the sandbox took: creates, activations, deactivations. */
  algorithmWrites(): RecordedRequest[];
}

/** In a test file: a sandbox project per test, opened by the test, closed after it. */
export function canaryProjects(): CanaryProjects {
  let current: SandboxProject | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const project = (): SandboxProject => {
    if (!current) throw new Error('open() the test’s sandbox project first');
    return current;
  };
  return {
    open: async (opts = {}) => (current = await sandboxProject(opts)),
    run: (args) => runCliAsync(args, { cwd: project().dir, env: { ...project().env, PAYCTL_ACTOR: 'ci' } }),
    algorithmWrites: () =>
      project()
        .sandbox.requests()
        .filter((r) => r.method === 'POST' && /\/routing(\/[^/]+\/activate|\/deactivate)?$/.test(r.path)),
  };
}

/** playbooks/canary.yaml in `dir`: one shift_traffic step, `back`, with these fields (`stages: [10, 50, 100]`, …). */
export function writeCanaryPlaybook(dir: string, fields: string[]): void {
  const lines = [
    'id: canary',
    'title: Canary failback',
    'severity: sev2',
    'steps:',
    '  - id: back',
    '    title: Move traffic back in stages',
  ];
  lines.push('    type: shift_traffic', ...fields.map((f) => `    ${f}`), '');
  writeFileSync(join(dir, 'playbooks', 'canary.yaml'), lines.join('\n'));
}

/** `failback --canary <stages> --hold <hold>`, each stage judged at 95% over at least 20 payments, unattended, --json. */
export function canaryFailbackArgs(stages: string, hold: string): string[] {
  return ['failback', '--canary', stages, '--hold', hold, '--min-success-rate', '0.95', '--min-attempts', '20', '--yes', '--json'];
}

/**
 * The processor-outage playbook run for real: the built CLI, unattended, against
 * the sandbox with its drill's fault and vars. Proves the shipped content works
 * with the engine and the integrations, not only that it validates.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { findPlaybook } from '../../src/playbook/load.js';
import { BIN, hasStackTrace } from '../helpers/run-cli.js';
import { REPO, tempDir } from './helpers.js';

let sb: SandboxHandle;
beforeAll(async () => {
  sb = await startSandbox({});
});
afterAll(async () => {
  await sb?.close();
});

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('processor-outage against the sandbox', () => {
  it('fails over, notifies, escalates, waits for recovery, fails back and resolves', async () => {
    const { playbook } = findPlaybook(join(REPO, 'playbooks'), 'processor-outage');
    const drill = playbook.drill!;
    const dir = tempDir('payctl-run-');
    writeFileSync(
      join(dir, 'payctl.config.yaml'),
      sb.configYaml() + `templates: ${join(REPO, 'templates')}\nplaybooks: ${join(REPO, 'playbooks')}\n`,
    );
    sb.injectFault(drill.fault);
    const vars = Object.entries(drill.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}=${String(v)}`]);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CI: '1', PAYCTL_ACTOR: 'test-runner', ...sb.env() };
    const r = await run(['incident', 'start', '-p', 'processor-outage', '--yes', '--json', ...vars], dir, env);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code, r.stderr).toBe(0);

    const paths = sb.requests().map((q) => `${q.method} ${q.path}`);
    // customers and the team heard about it on every channel of the acknowledge/alternatives/update/resolved notices
    for (const ch of [
      '/webhook/banner',
      '/webhook/email',
      '/webhook/social',
      '/statuspage/v1/pages/sandbox-page/incidents',
      '/slack/services/',
    ]) {
      expect(
        paths.some((p) => p.includes(ch)),
        ch,
      ).toBe(true);
    }
    // escalated to stripe: paged (trigger, later resolve) and a ticket
    const pages = sb
      .requests()
      .filter((q) => q.path.endsWith('/pagerduty/v2/enqueue'))
      .map((q) => (q.body as { event_action?: string }).event_action ?? JSON.parse(String(q.body)).event_action);
    expect(pages).toEqual(['trigger', 'resolve']);
    expect(paths).toContain('POST /webhook/processor-support');
    // traffic went to adyen and came back to stripe
    const writes = sb.requests().filter((q) => q.method === 'POST' && q.path.endsWith('/routing/default'));
    expect(writes).toHaveLength(2);
    const order = (q: (typeof writes)[number]) =>
      ((typeof q.body === 'string' ? JSON.parse(q.body) : q.body) as { connector: string }[]).map((c) => c.connector);
    expect(order(writes[0]!)[0]).toBe('adyen');
    expect(order(writes[1]!)[0]).toBe('stripe');
    expect(r.stdout + r.stderr).toMatch(/resolved/);
    // stripe down: our success rate is read and shown below its threshold, not with a ✔
    expect(r.stderr).toMatch(
      /⚠ Measure our own payment success rate — success rate \d+\.\d% over 5m \(threshold \d+\.\d%\); below the threshold/,
    );
  }, 60_000);
});

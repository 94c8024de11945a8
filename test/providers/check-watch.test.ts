/**
 * payctl check --watch against the sandbox (prints the table once, then only
 * changes; Ctrl-C stops it cleanly), and the trigger matching behind
 * --start-incident.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openTerminal } from '../helpers/terminal.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { Config } from '../../src/config/schema.js';
import { Playbook } from '../../src/playbook/schema.js';
import { matchPlaybook } from '../../src/commands/playbook-ranking.js';
import type { HealthSnapshot } from '../../src/providers/health.js';
import { BIN, tempDir } from './helpers.js';

let sb: SandboxHandle;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(() => sb.close());

/** A project whose config points at the sandbox. */
function watchProject(): string {
  const dir = tempDir('payctl-watch-');
  writeFileSync(join(dir, 'payctl.config.yaml'), stringify(sb.configObject()));
  return dir;
}

/** payctl check --watch --interval 1s in a new project: its output so far, and stop(signal) that resolves with its exit code. */
function startWatch() {
  const child = spawn(process.execPath, [BIN, 'check', '--watch', '--interval', '1s'], {
    cwd: watchProject(),
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...sb.env() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return {
    out: () => out,
    err: () => err,
    stop: (signal: NodeJS.Signals) =>
      new Promise<number | null>((resolve) => {
        child.on('close', resolve);
        child.kill(signal);
      }),
  };
}

describe('payctl check --watch', () => {
  it('prints the table, then one line per change, and stops on SIGINT with exit 0', async () => {
    const w = startWatch();
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 300 && !re.test(w.out() + w.err()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(w.out() + w.err()).toMatch(re);
    };
    await waitFor(/watching every 1s/);
    expect(w.out()).toMatch(/stripe\s+primary\s+operational\s+ok/);
    sb.injectFault('stripe:down');
    await waitFor(/stripe: operational → major_outage/);
    expect(await w.stop('SIGINT')).toBe(0);
    expect(w.err()).toContain('stopped watching');
    expect(w.out().match(/PROVIDER/g)).toHaveLength(1); // the table only once
  });

  it('Ctrl-C in a terminal under npx (the CLI gets SIGINT twice: from the terminal and forwarded) still exits 0', async () => {
    const dir = watchProject();
    const forward = fileURLToPath(new URL('./forward-signals.mjs', import.meta.url));
    const t = openTerminal(process.execPath, [forward, BIN, 'check', '--watch', '--interval', '1s'], { cwd: dir, env: sb.env() });
    await t.waitFor('Ctrl-C to stop', 15_000);
    t.write('\x03'); // the terminal sends SIGINT to the whole foreground group
    expect(await t.exited).toBe(0);
    expect(t.screen()).toContain('stopped watching');
  });

  it('SIGTERM stops it the same way (exit 0)', async () => {
    const w = startWatch();
    for (let i = 0; i < 300 && !w.err().includes('watching every'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await w.stop('SIGTERM')).toBe(0);
    expect(w.err()).toContain('stopped watching');
  });
});

describe('trigger matching for --start-incident', () => {
  const config = Config.parse({
    providers: { stripe: { kind: 'stripe' }, adyen: { kind: 'adyen' } },
    routing: { primary: 'stripe', backups: ['adyen'] },
  });
  const pb = (id: string, triggers: unknown[]) =>
    Playbook.parse({ id, title: id, triggers, steps: [{ id: 'a', title: 'a', type: 'manual' }] });
  const declines = pb('elevated-declines', [{ success_rate_below: 0.9 }]);
  const outage = pb('processor-outage', [{ provider: 'primary', status: ['major_outage', 'partial_outage'] }, { success_rate_below: 0.9 }]);
  const snap = (stripe: string, rate: number): HealthSnapshot => ({
    checked_at: '',
    healthy: false,
    problems: [],
    success_rate: { value: rate, threshold: 0.95, healthy: rate >= 0.95 },
    declines: null,
    providers: [
      {
        provider: 'stripe',
        status: stripe as 'operational',
        indicator: 'x',
        components: [],
        incidents: [],
        role: 'primary',
        enabled: true,
        healthy: stripe === 'operational',
      },
      {
        provider: 'adyen',
        status: 'operational',
        indicator: 'x',
        components: [],
        incidents: [],
        role: 'backup',
        enabled: true,
        healthy: true,
      },
    ],
  });

  it('a provider-status match beats a success-rate-only match, whatever the file order', () => {
    const m = matchPlaybook(config, snap('major_outage', 0.1), [declines, outage], new Date());
    expect(m?.playbook.id).toBe('processor-outage');
    expect(m?.match.provider).toBe('stripe');
  });

  it('with every processor operational, a low success rate picks the first rate trigger', () => {
    expect(matchPlaybook(config, snap('operational', 0.5), [declines, outage], new Date())?.playbook.id).toBe('elevated-declines');
    expect(matchPlaybook(config, snap('operational', 0.99), [declines, outage], new Date())).toBeUndefined();
  });
});

/** `payctl sandbox` spawned from the built bin, as a user runs it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Config } from '../../src/config/schema.js';
import { BIN, hasStackTrace, runCli } from '../helpers/run-cli.js';
import { waitUntil } from '../helpers/wait.js';
import { call } from './http.js';

let dir: string;
let child: ChildProcess | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'payctl-sandbox-cmd-'));
});
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface Started {
  out: any;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** playbooks/adyen-wobble.yaml: one manual step, a drill with fault adyen:degraded:10m at 600 orders a minute, then `drillLines`. */
function writeWobblePlaybook(drillLines: string[] = []): void {
  mkdirSync(join(dir, 'playbooks'));
  writeFileSync(
    join(dir, 'playbooks', 'adyen-wobble.yaml'),
    [
      'id: adyen-wobble',
      'title: Adyen wobbles',
      'steps:',
      '  - { id: look, title: Look at it, type: manual }',
      'drill:',
      '  fault: "adyen:degraded:10m"',
      '  orders_per_minute: 600',
      '  expect: {}',
      ...drillLines,
      '',
    ].join('\n'),
  );
}

/** Start `payctl sandbox …`, resolve once its stdout holds the first complete JSON document. */
function startCli(args: string[]): Promise<Started> {
  const p = spawn(process.execPath, [BIN, 'sandbox', ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = p;
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((res) => p.on('exit', (code) => res(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no JSON within 15 s; stdout: ${stdout}; stderr: ${stderr}`)), 15_000);
    p.stderr!.on('data', (d) => (stderr += d));
    p.stdout!.on('data', (d) => {
      stdout += d;
      try {
        const out = JSON.parse(stdout);
        clearTimeout(timer);
        resolve({ out, stdout: () => stdout, stderr: () => stderr, exited });
      } catch {
        // not complete yet
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before printing JSON; stderr: ${stderr}`));
    });
  });
}

describe('payctl sandbox', () => {
  it('--json prints {url, port, env, config}, serves requests, and exits 0 on SIGTERM', async () => {
    const s = await startCli(['--json']);
    expect(s.out.url).toBe(`http://127.0.0.1:${s.out.port}`);
    expect(Object.keys(s.out.env)).toContain('SANDBOX_PAGERDUTY_KEY');
    expect(Config.parse(s.out.config).routing?.primary).toBe('stripe');
    const r = await call(`${s.out.url}/status/stripe/api/v2/summary.json`);
    expect(r.status).toBe(200);
    // the request shows up on stderr, never on stdout (stdout is only the JSON)
    await waitUntil(() => s.stderr().includes('/status/stripe/api/v2/summary.json'), {
      ms: 5000,
      what: 'the request logged on stderr',
      every: 20,
      seen: s.stderr,
    });
    expect(s.stderr()).toMatch(/GET\s+\/status\/stripe\/api\/v2\/summary\.json\s+200/);
    child!.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(JSON.parse(s.stdout())).toEqual(s.out);
    expect(hasStackTrace(s.stderr())).toBe(false);
  });

  it('--write-config writes a loadable config, and refuses to overwrite an existing file (exit 2)', async () => {
    const s = await startCli(['--json', '--write-config', 'sandbox.yaml']);
    const file = join(dir, 'sandbox.yaml');
    expect(s.out.config_file).toBe(file);
    expect(parse(readFileSync(file, 'utf8'))).toEqual(s.out.config);
    child!.kill('SIGINT');
    expect(await s.exited).toBe(0);

    const again = runCli(['sandbox', '--write-config', 'sandbox.yaml'], { cwd: dir, timeout: 15_000 });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    expect(again.stderr).toMatch(/hint:/);
    expect(hasStackTrace(again.stderr)).toBe(false);
  });

  it('--scenario injects the playbook drill fault (and takes its orders_per_minute unless the flag says otherwise)', async () => {
    writeWobblePlaybook();
    const s = await startCli(['--json', '--scenario', 'adyen-wobble']);
    expect(s.out.faults).toEqual(['adyen:degraded:10m']);
    expect((await call(`${s.out.url}/status/adyen/api/v2/status.json`)).body.status.indicator).toBe('minor');
    expect(s.out.orders_per_minute).toBe(600);
    child!.kill('SIGTERM');
    expect(await s.exited).toBe(0);

    const flag = await startCli(['--json', '--scenario', 'adyen-wobble', '--orders-per-minute', '60']);
    expect(flag.out.orders_per_minute).toBe(60);
    expect((await call(`${flag.out.url}/_control/state`)).body.traffic.orders_per_minute).toBe(60);
    child!.kill('SIGTERM');
    expect(await flag.exited).toBe(0);
  });

  it("--playbook starts with its drill fault; with --scenario, with that drill scenario's fault (and traffic)", async () => {
    writeWobblePlaybook([
      '  scenarios:',
      '    stripe-silent:',
      '      fault: "stripe:silent"',
      '      orders_per_minute: 900',
      '      expect: {}',
      '    braintree-down:',
      '      fault: "braintree:down"',
      '      expect: {}',
    ]);
    const drill = await startCli(['--json', '--playbook', 'adyen-wobble']);
    expect(drill.out).toMatchObject({ faults: ['adyen:degraded:10m'], orders_per_minute: 600, playbook: 'adyen-wobble' });
    expect(drill.out.scenario).toBeUndefined();
    child!.kill('SIGTERM');
    expect(await drill.exited).toBe(0);

    const silent = await startCli(['--json', '--playbook', 'adyen-wobble', '--scenario', 'stripe-silent']);
    expect(silent.out).toMatchObject({
      faults: ['stripe:silent'],
      orders_per_minute: 900,
      playbook: 'adyen-wobble',
      scenario: 'stripe-silent',
    });
    // stripe's payments fail while its status page says operational
    expect((await call(`${silent.out.url}/status/stripe/api/v2/status.json`)).body.status.indicator).toBe('none');
    child!.kill('SIGTERM');
    expect(await silent.exited).toBe(0);

    // a scenario without its own orders_per_minute takes the drill's (as payctl drill --scenario does); human output names it
    const down = spawn(process.execPath, [BIN, 'sandbox', '--playbook', 'adyen-wobble', '--scenario', 'braintree-down'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = down;
    let human = '';
    down.stdout!.on('data', (d) => (human += d));
    const t0 = Date.now();
    while (!human.includes('Control it:') && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 25));
    expect(human).toContain('traffic: 600 simulated payments per minute');
    expect(human).toMatch(/faults: braintree:down \(drill scenario braintree-down of .*adyen-wobble\.yaml\)/);
    down.kill('SIGTERM');
  });

  it('--orders-per-minute sets the simulated traffic: in the JSON, the config, the control API and the /metrics counters', async () => {
    const before = Date.now();
    const s = await startCli(['--json', '--orders-per-minute', '6000']);
    const printed = Date.now();
    expect(s.out.orders_per_minute).toBe(6000);
    expect(s.out.config.business.orders_per_minute).toBe(6000); // revenue at risk follows the simulated traffic
    const state = (await call(`${s.out.url}/_control/state`)).body;
    expect(state.traffic.orders_per_minute).toBe(6000);

    // 6000 a minute is 100 a second: the counters a Prometheus would scrape grow at that rate (120 a minute: 2 a second)
    await new Promise((res) => setTimeout(res, 1500));
    const scraped = Date.now();
    const metrics = await call(`${s.out.url}/metrics`);
    const after = Date.now();
    const attempted = [...metrics.text.matchAll(/^payments_attempted_total\{provider="[a-z]+"\} (\S+)$/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    // the sandbox started between `before` and `printed`, and was scraped between `scraped` and `after`
    expect(attempted).toBeGreaterThanOrEqual(Math.floor((100 * (scraped - printed)) / 1000) - 1);
    expect(attempted).toBeLessThanOrEqual(Math.ceil((100 * (after - before)) / 1000));
    child!.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('user mistakes exit 2 with a message and no stack trace', () => {
    mkdirSync(join(dir, 'playbooks'));
    writeFileSync(join(dir, 'playbooks', 'calm.yaml'), 'id: calm\ntitle: Calm\nsteps:\n  - { id: a, title: A, type: manual }\n');
    writeFileSync(
      join(dir, 'playbooks', 'broken-drill.yaml'),
      'id: broken-drill\ntitle: B\nsteps:\n  - { id: a, title: A, type: manual }\ndrill: { fault: "stripe:melted", expect: {} }\n',
    );
    writeFileSync(
      join(dir, 'playbooks', 'with-scenarios.yaml'),
      'id: with-scenarios\ntitle: W\nsteps:\n  - { id: a, title: A, type: manual }\ndrill:\n  fault: "stripe:down"\n  expect: {}\n  scenarios:\n    quiet-stripe: { fault: "stripe:silent", expect: {} }\n',
    );
    const cases: [string[], RegExp][] = [
      [['--port', 'abc'], /--port: "abc" is not a port/],
      [['--orders-per-minute', 'lots'], /--orders-per-minute: "lots" is not a positive number/],
      [['--orders-per-minute', '0'], /--orders-per-minute: "0" is not a positive number/],
      [['--orders-per-minute=-5'], /--orders-per-minute: "-5" is not a positive number/],
      [['--orders-per-minute', 'Infinity'], /--orders-per-minute: "Infinity" is not a positive number/],
      [['--scenario', 'calm'], /has no drill\.fault/],
      [['--scenario', 'nope'], /no playbook "nope"/],
      [['--scenario', 'broken-drill'], /invalid fault "stripe:melted"/],
      [['--playbook', 'calm'], /playbook "calm" .* has no drill\.fault/],
      [
        ['--playbook', 'with-scenarios', '--scenario', 'nope'],
        /playbook with-scenarios has no drill scenario "nope"\nhint: its scenarios: quiet-stripe/,
      ],
      [
        ['--scenario', 'quiet-stripe'],
        /"quiet-stripe" is a drill scenario of playbook with-scenarios, not a playbook.*\nhint: payctl sandbox --playbook with-scenarios --scenario quiet-stripe/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['sandbox', ...args], { cwd: dir, timeout: 15_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
    expect(existsSync(join(dir, 'payctl.config.yaml'))).toBe(false);
  });
});

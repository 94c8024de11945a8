/**
 * payctl check where nothing answers (new-user trial: the config `payctl init`
 * writes, on a machine without network): every status page and the metrics
 * source unreachable is this machine's network, not a reason to open an
 * incident; the hint says so, and names what did not answer.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';
import { closedPort } from '../helpers/ports.js';

let p: SandboxProject | undefined;
afterEach(async () => {
  await p?.close();
  p = undefined;
});

it("the init config with nothing reachable: the hint is this machine's network, not an incident", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-offline-'));
  expect((await runCliAsync(['init'], { cwd: dir })).code).toBe(0);
  const file = join(dir, 'payctl.config.yaml');
  // every status page and Prometheus on a port where nothing listens
  const dead = `http://127.0.0.1:${await closedPort()}`;
  writeFileSync(file, readFileSync(file, 'utf8').replace(/https?:\/\/(status\.[a-z.]+|prometheus\.internal:9090)/g, dead));
  const r = await runCliAsync(['check'], { cwd: dir });
  expect(r.code).toBe(4);
  expect(r.stdout).toMatch(/stripe {2,}primary {2,}unreachable/);
  expect(r.stdout).toMatch(/success rate: unavailable \(prometheus: GET .* failed: connection refused/);
  expect(r.stderr).toContain(
    "hint: neither the status pages nor the metrics source answered, which says more about this machine's network than about the providers",
  );
  expect(r.stderr).not.toContain('--start-incident');
  const json = JSON.parse((await runCliAsync(['check', '--json'], { cwd: dir })).stdout);
  expect(json.success_rate).toMatchObject({ healthy: false, unreachable: true });
});

it('status pages read, the metrics source not answering: the hint is the network too', async () => {
  p = await sandboxProject();
  const file = join(p.dir, 'payctl.config.yaml');
  const dead = `http://127.0.0.1:${await closedPort()}`;
  writeFileSync(file, readFileSync(file, 'utf8').replace(`${p.sandbox.url}/prometheus`, `${dead}/prometheus`));
  const r = await runCliAsync(['check'], { cwd: p.dir, env: p.env });
  expect(r.code).toBe(4);
  expect(r.stderr).toContain("hint: the metrics source did not answer, which says more about this machine's network");
});

it('a provider down with the metrics source not answering still points at opening an incident', async () => {
  p = await sandboxProject({ fault: 'stripe:down' });
  const file = join(p.dir, 'payctl.config.yaml');
  const dead = `http://127.0.0.1:${await closedPort()}`;
  writeFileSync(file, readFileSync(file, 'utf8').replace(`${p.sandbox.url}/prometheus`, `${dead}/prometheus`));
  const r = await runCliAsync(['check'], { cwd: p.dir, env: p.env });
  expect(r.code).toBe(4);
  expect(r.stderr).toContain('hint: payctl check --start-incident opens an incident');
});

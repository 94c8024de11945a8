// A status page that does not answer is "unreachable", not an outage, and check points at our own network (issue 11 item 13).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';
import { closedPort } from '../helpers/ports.js';

let p: SandboxProject;
beforeEach(async () => {
  p = await sandboxProject();
});
afterEach(async () => {
  await p.close();
});

it('a page that refuses the connection is unreachable; the hint is our network, not an incident', async () => {
  const file = join(p.dir, 'payctl.config.yaml');
  const url = p.sandbox.url;
  const port = await closedPort();
  writeFileSync(file, readFileSync(file, 'utf8').replace(`${url}/status/stripe`, `http://127.0.0.1:${port}/status/stripe`));
  const run = (args: string[]) => runCliAsync(args, { cwd: p.dir, env: p.env });

  const r = await run(['check']);
  expect(r.code).toBe(4);
  expect(r.stdout).toMatch(/stripe {2,}primary {2,}unreachable {2,}UNHEALTHY {2,}stripe status page: GET .* failed: connection refused/);
  expect(r.stdout).toContain('unhealthy: stripe: status page unreachable (');
  expect(r.stderr).toContain("hint: the status pages did not answer, which says more about this machine's network");
  expect(r.stderr).not.toContain('--start-incident');

  const json = JSON.parse((await run(['check', '--json'])).stdout);
  expect(json.providers.find((x: { provider: string }) => x.provider === 'stripe')).toMatchObject({
    status: 'unreachable',
    healthy: false,
  });
  expect((await run(['providers'])).stdout).toMatch(/stripe .* unreachable \(stripe status page: GET/);
});

it('a provider really down still points at opening an incident', async () => {
  p.sandbox.injectFault('stripe:down');
  const r = await runCliAsync(['check'], { cwd: p.dir, env: p.env });
  expect(r.code).toBe(4);
  expect(r.stderr).toContain('hint: payctl check --start-incident opens an incident');
});

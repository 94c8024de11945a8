// A second incident for the same trouble warns (and, with a person, asks); unattended it goes ahead and says so (issue 11 item 9).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

let p: SandboxProject;
const run = (args: string[]) => runCliAsync(args, { cwd: p.dir, env: { ...p.env, CI: '1' } });
beforeEach(async () => {
  p = await sandboxProject({ fault: 'stripe:down' });
});
afterEach(async () => {
  await p.close();
});

it('a second incident for the same playbook and provider warns on stderr, unattended it is opened anyway', async () => {
  expect((await run(['check', '--start-incident'])).code).toBe(3);
  const [first] = JSON.parse((await run(['incident', 'list', '--json'])).stdout);
  const r = await run(['incident', 'start', '--playbook', 'processor-outage', '--var', 'provider=stripe']);
  expect(r.stderr).toContain(`warning: incident ${first.id} is open: `);
  expect(r.stderr).toContain('(playbook processor-outage, provider stripe, identified)');
  expect(r.stderr).toContain(
    'warning: opening another incident (processor-outage, provider stripe) anyway: this run is unattended, so nobody was asked',
  );
  expect(JSON.parse((await run(['incident', 'list', '--json'])).stdout)).toHaveLength(2);

  // another playbook for another provider is no overlap
  const other = await run(['incident', 'start', '--playbook', 'elevated-declines', '--var', 'provider=adyen']);
  expect(other.stderr).not.toContain('is open:');
  // nor is a dry run: it opens nothing that competes with a real incident
  const dry = await run(['incident', 'start', '--playbook', 'processor-outage', '--var', 'provider=stripe', '--dry-run']);
  expect(dry.stderr).not.toContain('is open:');
}, 60_000);

it('a failover while another open incident has traffic moved warns; unattended with --yes it goes ahead and says so', async () => {
  const first = JSON.parse((await run(['failover', '--to', 'adyen', '--yes', '--json'])).stdout);
  expect(first).toMatchObject({ verified: true });
  const r = await run(['failover', '--to', 'braintree', '--yes']);
  expect(r.stderr).toContain(
    `warning: incident ${first.incident} is open: Fail over to adyen (moved traffic to adyen at step failover, investigating)`,
  );
  expect(r.stderr).toContain('warning: failing over to braintree while another incident has traffic moved anyway: this run is unattended');
  expect(r.code).toBe(0);
  // joining the incident that moved traffic is no overlap
  const joined = await run(['failover', '--to', 'adyen', '--incident', first.incident, '--yes']);
  expect(joined.stderr).not.toContain('is open:');
}, 60_000);

it('a failover that opens an incident while one for its provider is open warns; unattended with --yes it goes ahead and says so', async () => {
  expect((await run(['check', '--start-incident'])).code).toBe(3);
  const [outage] = JSON.parse((await run(['incident', 'list', '--json'])).stdout);
  const r = await run(['failover', '--to', 'adyen', '--share', '90', '--reason', 'stripe degraded', '--yes', '--json']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain(`warning: incident ${outage.id} is open: `);
  expect(r.stderr).toContain('(provider stripe, identified)');
  expect(r.stderr).toContain('warning: opening another incident (failover to adyen) anyway: this run is unattended, so nobody was asked');
  expect(JSON.parse(r.stdout)).toMatchObject({ verified: true, share: 90 });
  expect(JSON.parse(r.stdout).incident).not.toBe(outage.id);
}, 60_000);

/**
 * One writer to the routing (issue 10.5): two real payctl processes switching
 * the sandbox's routing to different targets at once. The routing API answers
 * after 300 ms, so the two switches overlap. Exactly one moves traffic and
 * verifies it; the other is refused (exit 1) naming the winner's incident and
 * where traffic goes now, and the routing ends on the winner's target.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsync, type CliResult } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

let p: SandboxProject;
beforeEach(async () => {
  p = await sandboxProject({ fault: 'hyperswitch:latency=300ms' });
});
afterEach(async () => {
  await p.close();
});

const run = (args: string[]) => runCliAsync(args, { cwd: p.dir, env: { ...p.env, CI: '1' } });
const routingWrites = () => p.sandbox.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/routing/default'));
const routingFirst = () => p.sandbox.state().routing.order[0];

/** The winner and the loser of two runs, by exit code. */
function split(a: CliResult, b: CliResult): [CliResult, CliResult] {
  expect([a.code, b.code].sort(), `${a.stderr}\n---\n${b.stderr}`).toEqual([0, 1]);
  return a.code === 0 ? [a, b] : [b, a];
}

describe('two switches of one routing at once', () => {
  it('two failovers to different targets: one moves traffic, the other is refused naming it', async () => {
    const [a, b] = await Promise.all([
      run(['failover', '--to', 'adyen', '--yes', '--json']),
      run(['failover', '--to', 'braintree', '--yes', '--json']),
    ]);
    const [won, lost] = split(a, b);
    const winner = JSON.parse(won.stdout);
    const loser = JSON.parse(lost.stdout);
    expect(winner).toMatchObject({ verified: true });
    expect(loser).toMatchObject({ verified: false });
    expect(loser.error).toContain(`incident ${winner.incident}`);
    expect(loser.error).toContain(`it now sends traffic to ${winner.to}`);
    expect(routingWrites()).toHaveLength(1);
    expect(routingFirst()).toBe(winner.to);
  });

  it("a playbook's switch_provider racing a failover: the same", async () => {
    writeFileSync(
      join(p.dir, 'playbooks', 'move.yaml'),
      'id: move\ntitle: Move to braintree\nsteps:\n  - { id: move, type: switch_provider, title: Move to braintree, to: braintree }\n',
    );
    const [a, b] = await Promise.all([
      run(['incident', 'start', '-p', 'move', '--yes', '--json']),
      run(['failover', '--to', 'adyen', '--yes', '--json']),
    ]);
    const [won, lost] = split(a, b);
    expect(routingWrites()).toHaveLength(1);
    const winnerTo = routingFirst();
    expect(['adyen', 'braintree']).toContain(winnerTo);
    expect(`${lost.stdout}${lost.stderr}`).toContain(`it now sends traffic to ${winnerTo}`);
    const winnerId = /\d{8}-\d{6}-[0-9a-f]{4}/.exec(won.stdout)![0];
    expect(`${lost.stdout}${lost.stderr}`).toContain(`incident ${winnerId}`);
  });
});

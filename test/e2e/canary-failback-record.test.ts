/**
 * A canary failback counts as a failback in the record (new-user trial): after
 * `failover --share 90` and `failback --canary`, resolving the incident does not
 * ask for a failback, and the postmortem's time on the backup ends at the
 * canary. `failback --json` reports where traffic came from and the routing
 * before, for a canary that completed and one that halted; the postmortem
 * names a failed step of the built-in command as such, not as a playbook's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUSY, canaryProjects } from '../helpers/canary.js';

const { open, run } = canaryProjects();

describe('a canary failback in the record', () => {
  it('is the failback: resolve does not ask for one, the postmortem ends the time on the backup at it', async () => {
    const p = await open({ ordersPerMinute: BUSY });
    expect((await run(['failover', '--to', 'adyen', '--share', '90', '--yes'])).code).toBe(0);
    const r = await run(['failback', '--canary', '10,100', '--hold', '2s', '--min-attempts', '20', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.canary.completed).toBe(true);

    const resolved = await run(['incident', 'resolve', out.incident]);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(resolved.stderr).not.toContain('left it on');
    expect(resolved.stderr).not.toContain('run payctl failback');

    const pm = await run(['postmortem', out.incident]);
    expect(pm.code, pm.stderr).toBe(0);
    const doc = readFileSync(join(p.dir, '.payctl', 'incidents', out.incident, 'postmortem.md'), 'utf8');
    const backup = doc.split('\n').find((l) => l.startsWith('| Time on backup provider |'));
    expect(backup).toMatch(/on adyen/);
    expect(backup).not.toContain('no failback recorded');
    expect(doc).toContain('Traffic returned to stripe');

    expect(out.from).toBe('adyen');
    expect(out.routing_before).toEqual(['adyen', 'stripe']);
  }, 60_000);

  it('halted, still reports where traffic came from and the routing before', async () => {
    const p = await open({ ordersPerMinute: BUSY });
    expect((await run(['failover', '--to', 'adyen', '--yes'])).code).toBe(0);
    // far more payments than the 10% stage sees: it halts and rolls back
    const r = await run(['failback', '--canary', '10,100', '--hold', '1s', '--min-attempts', '100000', '--yes', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.canary.completed).toBe(false);
    expect(out.from).toBe('adyen');
    expect(out.routing_before).toEqual(['adyen']);
    expect(out.routing_after).toEqual(['adyen']);

    // the failed step is the built-in command's, not a playbook's
    expect((await run(['postmortem', out.incident])).code).toBe(0);
    const doc = readFileSync(join(p.dir, '.payctl', 'incidents', out.incident, 'postmortem.md'), 'utf8');
    expect(doc).toContain('Review step failback (the built-in payctl failback command, not a playbook): it failed (canary halted');
    expect(doc).not.toContain('playbook failover');
  }, 60_000);
});

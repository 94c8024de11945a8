/** Ranking playbooks by their triggers against a health snapshot (the picker and check --start-incident), and what payctl infers. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Config } from '../../src/config/schema.js';
import { bestMatches, rankPlaybooks } from '../../src/commands/playbook-ranking.js';
import { inferInputs } from '../../src/engine/inferred-inputs.js';
import { declineShares, type HealthSnapshot, type ProviderHealth } from '../../src/providers/health.js';
import { listPlaybookFiles, loadPlaybookFile } from '../../src/playbook/load.js';
import { REPO } from '../helpers/run-cli.js';

const config = Config.parse({
  providers: { stripe: { kind: 'stripe' }, adyen: { kind: 'adyen' }, braintree: { kind: 'braintree' } },
  routing: { primary: 'stripe', backups: ['adyen', 'braintree'] },
});
const shipped = listPlaybookFiles(join(REPO, 'playbooks')).map((file) => ({ file, playbook: loadPlaybookFile(file).playbook! }));

function provider(name: string, status: string, role: ProviderHealth['role'], extra: Partial<ProviderHealth> = {}): ProviderHealth {
  const healthy = !['major_outage', 'partial_outage'].includes(status);
  return {
    provider: name,
    status: status as 'operational',
    indicator: 'x',
    components: [],
    incidents: [],
    role,
    enabled: true,
    healthy,
    ...extra,
  };
}

function snap(o: { stripe?: string; adyen?: string; rate: number; declines?: Record<string, number> }): HealthSnapshot {
  const success_rate = { value: o.rate, threshold: 0.95, healthy: o.rate >= 0.95 };
  return {
    checked_at: '',
    healthy: false,
    problems: [],
    success_rate,
    declines: declineShares(o.declines ? { breakdown: o.declines } : null, success_rate),
    providers: [
      provider('stripe', o.stripe ?? 'operational', 'primary'),
      provider('adyen', o.adyen ?? 'operational', 'backup'),
      provider('braintree', 'operational', 'backup'),
    ],
  };
}

const ids = (s: HealthSnapshot) => rankPlaybooks(config, s, shipped, new Date()).map((r) => r.entry.playbook.id);

describe('rankPlaybooks over the shipped playbooks', () => {
  it('stripe down: processor-outage first, with the status and the success rate as why', () => {
    const s = snap({ stripe: 'major_outage', rate: 0.05, declines: { processing_error: 1.8, insufficient_funds: 0.01 } });
    const ranked = rankPlaybooks(config, s, shipped, new Date());
    expect(ranked[0]!.entry.playbook.id).toBe('processor-outage');
    expect(ranked[0]!.why).toBe('stripe: major_outage, success rate 5.0%');
    expect(bestMatches(ranked).map((r) => r.entry.playbook.id)).toEqual(['processor-outage']);
  });

  it('a decline spike (do_not_honor) with stripe operational: elevated-declines first, not third-party-dependency', () => {
    const s = snap({ rate: 0.82, declines: { do_not_honor: 0.33, insufficient_funds: 0.012, generic_decline: 0.008 } });
    const ranked = rankPlaybooks(config, s, shipped, new Date());
    expect(ranked[0]!.entry.playbook.id).toBe('elevated-declines');
    expect(ranked[0]!.why).toMatch(/^do_not_honor 1\d\.\d% of attempts, success rate 82\.0%$/);
    expect(bestMatches(ranked)).toHaveLength(1);
  });

  it('rate-limit failures: peak-traffic first; card-testing codes: security-incident first', () => {
    expect(ids(snap({ rate: 0.7, declines: { rate_limit: 0.6, insufficient_funds: 0.01 } }))[0]).toBe('peak-traffic');
    expect(ids(snap({ rate: 0.8, declines: { incorrect_cvc: 0.3, expired_card: 0.1 } }))[0]).toBe('security-incident');
  });

  it('all healthy: nothing matches, the playbooks keep their file order', () => {
    const ranked = rankPlaybooks(config, snap({ rate: 0.99, declines: { insufficient_funds: 0.01 } }), shipped, new Date());
    expect(ranked.every((r) => r.match === undefined)).toBe(true);
    expect(ranked.map((r) => r.entry.file)).toEqual(shipped.map((x) => x.file));
    expect(bestMatches(ranked)).toEqual([]);
  });

  it('without decline data a decline trigger does not hold; an unreadable status page is no evidence', () => {
    const s = snap({ rate: 0.99 });
    s.providers[0] = provider('stripe', 'major_outage', 'primary', { error: 'timed out', healthy: false });
    expect(rankPlaybooks(config, s, shipped, new Date()).some((r) => r.match)).toBe(false);
  });
});

describe('declineShares', () => {
  it('turns counts of failed attempts by code into shares of attempts through the failure rate', () => {
    const d = declineShares({ breakdown: { do_not_honor: 3, insufficient_funds: 1 } }, { value: 0.8, threshold: 0.95, healthy: false });
    expect(d).toEqual({
      rate: 0.2,
      top: [
        { code: 'do_not_honor', share: 0.15 },
        { code: 'insufficient_funds', share: 0.05 },
      ],
    });
  });
  it('says why there are no shares without a success rate', () => {
    expect(declineShares({ breakdown: { x: 1 } }, null)?.error).toMatch(/no success rate/);
  });
});

describe('inferInputs', () => {
  const outage = shipped.find((x) => x.playbook.id === 'processor-outage')!.playbook;
  it('the failing provider, and the first healthy backup in routing order other than it', () => {
    const s = snap({ stripe: 'major_outage', rate: 0.05 });
    expect(inferInputs(config, s, outage)).toEqual({
      provider: { value: 'stripe', why: 'major_outage' },
      backup: { value: 'adyen', why: 'operational, first backup in routing order' },
    });
  });
  it('skips an unhealthy first backup', () => {
    const s = snap({ stripe: 'major_outage', adyen: 'major_outage', rate: 0.05 });
    expect(inferInputs(config, s, outage).backup).toEqual({
      value: 'braintree',
      why: 'operational, first healthy backup in routing order',
    });
  });
  it('the provider a trigger matched wins over routing order', () => {
    expect(inferInputs(config, snap({ rate: 0.5 }), outage, 'adyen')).toMatchObject({
      provider: { value: 'adyen' },
      backup: { value: 'braintree' },
    });
  });
});

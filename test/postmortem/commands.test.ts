// The commands end to end: the built bin spawned in a temp directory whose
// payctl.config.yaml points `store:` at a copy of the fixture timelines.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, FIXTURE_STORE, IDS } from './helpers.js';

let dir: string;

function payctl(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CI: '1', PAYCTL_CONFIG: '' },
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'payctl-pm-cmd-'));
  cpSync(FIXTURE_STORE, join(dir, 'store'), { recursive: true, filter: (src) => !src.endsWith('.mjs') });
  writeFileSync(
    join(dir, 'payctl.config.yaml'),
    [
      'store: store',
      'providers:',
      '  stripe: { kind: stripe }',
      '  adyen: { kind: adyen }',
      '  braintree: { kind: braintree }',
      'routing: { primary: stripe, backups: [adyen, braintree] }',
      'business: { average_order_value: 42.5, orders_per_minute: 120, currency: EUR }',
      '',
    ].join('\n'),
  );
});

describe('payctl postmortem', () => {
  it('writes the draft next to the timeline by default', () => {
    const r = payctl('postmortem', IDS.full);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`Postmortem draft: ${join('store', IDS.full, 'postmortem.md')}`);
    const md = readFileSync(join(dir, 'store', IDS.full, 'postmortem.md'), 'utf8');
    for (const h of [
      '## Summary',
      '## Impact',
      '## Response metrics',
      '## Timeline',
      '## Actions taken',
      '## Provider performance',
      '## What went well',
      '## What went wrong',
      '## Root cause',
      '## Action items',
      '## Lessons learned',
    ])
      expect(md).toContain(h);
    expect(md).toContain('revenue at risk: 19,252.50 EUR');
    expect(md).toContain('```mermaid\ngantt');
    expect(md).toContain('```mermaid\nxychart-beta');
  });

  it('--json prints the computed data', () => {
    const r = payctl('postmortem', IDS.neverMitigated, '--json');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout);
    expect(data.metrics.find((m: { key: string }) => m.key === 'time_to_mitigate')).toMatchObject({ ms: null, value: 'not recorded' });
    expect(data.file).toBe(join(dir, 'store', IDS.neverMitigated, 'postmortem.md'));
  });

  it('--out, and an open incident gives a draft marked as such', () => {
    const r = payctl('postmortem', IDS.stillOpen, '--out', 'drafts/open.md');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('still open');
    expect(readFileSync(join(dir, 'drafts', 'open.md'), 'utf8')).toContain('> **DRAFT: incident 20260410-230000-d004 is still open');
  });

  it('a truncated, newer-payctl timeline still gives a draft', () => {
    const r = payctl('postmortem', IDS.newerPayctl);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'store', IDS.newerPayctl, 'postmortem.md'), 'utf8')).toContain('truncated last line');
  });

  it('a custom template with a syntax error: exit 2 with file:line, no stack', () => {
    writeFileSync(join(dir, 'broken.md'), '# {{ summary.title }}\n\n{% for m in metrics %}\n- {{ m.label }}\n');
    const r = payctl('postmortem', IDS.full, '--template', 'broken.md');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'broken.md')}:3:1:`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown incident is exit 2 with a hint', () => {
    const r = payctl('postmortem', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no incident "nope"');
  });
});

describe('payctl providers report', () => {
  it('--json: a row per provider', () => {
    const r = payctl('providers', 'report', '--since', '100000d', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ incidents_considered: 7, rehearsals_excluded: 2, include_drills: false });
    const stripe = out.providers.find((p: { provider: string }) => p.provider === 'stripe');
    expect(stripe).toMatchObject({ incidents: 4, failovers_away: 3, escalation_response: { escalations: 3, answered: 1 } });
  });

  it('--include-drills counts the drill and the dry run too, and the footer says so', () => {
    const r = payctl('providers', 'report', '--since', '100000d', '--include-drills', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ incidents_considered: 9, rehearsals_excluded: 0, rehearsals_included: 2, include_drills: true });
    expect(out.providers.find((p: { provider: string }) => p.provider === 'stripe').incidents).toBe(6);
    const table = payctl('providers', 'report', '--since', '100000d', '--include-drills');
    expect(table.stdout).toContain('Includes 2 rehearsals (1 drill, 1 dry run): --include-drills.');
  });

  it('a table with the definitions under it; an old store is empty for 90d', () => {
    const r = payctl('providers', 'report', '--since', '100000d');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^stripe\s+4 \(1 open\)\s+2h 35m\s+55m\s+49m 40s/m);
    expect(r.stdout).toMatch(/^stripe .*16m 58s \(1\/3 answered\)/m);
    expect(r.stdout).toContain(
      '2 rehearsals excluded (1 drill, 1 dry run): they are not provider behaviour; pass --include-drills to count them.',
    );
    expect(r.stdout).toContain('Definitions:');
    expect(r.stdout).toContain('MTTR: Mean time to resolve');
    const bad = payctl('providers', 'report', '--since', 'soon');
    expect(bad.code).toBe(2);
  });
});

describe('payctl providers report: the parts kept in the store', () => {
  it('are used while a timeline is unchanged, and computed again after an append or with another threshold', () => {
    const own = mkdtempSync(join(tmpdir(), 'payctl-pm-parts-'));
    cpSync(dir, own, { recursive: true });
    const report = () => {
      const r = spawnSync(process.execPath, [BIN, 'providers', 'report', '--since', '100000d', '--json'], {
        cwd: own,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', CI: '1', PAYCTL_CONFIG: '', PAYCTL_ACTOR: 'tester' },
      });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout).providers.find((p: { provider: string }) => p.provider === 'stripe').total_downtime_ms as number;
    };
    const parts = join(own, 'store', '.scorecard.json');
    // an hour more downtime for stripe in the kept part of one incident: a report that uses the part shows it
    const addHour = () => {
      const text = readFileSync(parts, 'utf8');
      const line = text.split('\n').find((l) => l.startsWith(`["${IDS.full}"`))!;
      const entry = JSON.parse(line);
      entry[5].providers.find((p: { provider: string }) => p.provider === 'stripe').problem.downtime_ms += 3_600_000;
      writeFileSync(parts, text.replace(line, JSON.stringify(entry)));
    };
    const truth = report();
    expect(existsSync(parts)).toBe(true);
    addHour();
    expect(report()).toBe(truth + 3_600_000);
    // an append to that timeline: its part is computed again
    const note = spawnSync(process.execPath, [BIN, 'incident', 'note', IDS.full, 'checking the dashboards'], {
      cwd: own,
      encoding: 'utf8',
      env: { ...process.env, CI: '1', PAYCTL_CONFIG: '', PAYCTL_ACTOR: 'tester' },
    });
    expect(note.status, note.stderr).toBe(0);
    expect(report()).toBe(truth);
    // another success-rate threshold: every part is computed again
    addHour();
    expect(report()).toBe(truth + 3_600_000);
    const config = join(own, 'payctl.config.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}thresholds: { success_rate: 0.9 }\n`);
    report();
    expect(readFileSync(parts, 'utf8').split('\n')[0]).toMatch(/^\{"version":"1 payctl \d+\.\d+\.\d+\S* threshold 0\.9"\}$/);
    expect(readFileSync(parts, 'utf8')).not.toContain(String(truth + 3_600_000));
  });
});

describe('payctl incident export', () => {
  it('--format json: {incident, events, problems}', () => {
    const r = payctl('incident', 'export', IDS.newerPayctl, '--format', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.incident.id).toBe(IDS.newerPayctl);
    expect(doc.events).toHaveLength(5);
    expect(doc.problems[0].message).toContain('truncated');
  });

  it('--format md --out: a readable log', () => {
    const r = payctl('incident', 'export', IDS.full, '--format', 'md', '--out', 'log.md');
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'log.md'), 'utf8');
    expect(md).toContain('| # | Time (UTC) | Since open | Actor | Type | Step | Event |');
    expect(md).toContain('Switched traffic stripe → adyen (verified)');
    expect(md.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(46);
  });
});

describe('payctl template', () => {
  it('list --json: name, description, channels, vars', () => {
    const r = payctl('template', 'list', '--json');
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout);
    expect(items.map((i: { name: string }) => i.name)).toContain('customer-update');
    const upd = items.find((i: { name: string }) => i.name === 'customer-update');
    expect(upd.channels).toEqual(['statuspage', 'email', 'banner', 'social', 'slack']);
    expect(upd.vars).toContainEqual(expect.objectContaining({ name: 'eta', required: true }));
  });

  it('render with sample data notes the sample values', () => {
    const r = payctl('template', 'render', 'customer-update', '--channel', 'social');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--- social \(\d+\/280 characters\)/);
    expect(r.stdout).toContain('within the next 30 minutes');
    expect(r.stderr).toContain('sample values for required vars: eta');
  });

  it('render --incident uses the incident', () => {
    const r = payctl('template', 'render', 'team-update', '--incident', IDS.full, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.messages.find((m: { channel: string }) => m.channel === 'slack').body).toContain(IDS.full);
    expect(out.sampled_vars).toEqual(['summary']);
  });

  it("render --incident fills vars from the incident's answers of the same name", () => {
    // the fixture incident answered provider=stripe
    const r = payctl('template', 'render', 'processor-follow-up', '--incident', IDS.full, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.vars.provider).toBe('stripe');
    expect(out.sampled_vars).not.toContain('provider');
    const overridden = JSON.parse(
      payctl('template', 'render', 'processor-follow-up', '--incident', IDS.full, '--var', 'provider=adyen', '--json').stdout,
    );
    expect(overridden.vars.provider).toBe('adyen');
  });

  it('render --var sets a var; an unknown var is exit 2 naming the declared ones', () => {
    const r = payctl('template', 'render', 'customer-update', '--channel', 'social', '--var', 'eta=by 03:00 UTC');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('by 03:00 UTC');
    expect(r.stderr).not.toContain('sample values for required vars');
    const bad = payctl('template', 'render', 'customer-update', '--var', 'etaa=soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('template customer-update has no var "etaa"');
    expect(bad.stderr).toContain('its vars: eta, impact');
  });

  it('an unknown template or channel is exit 2', () => {
    expect(payctl('template', 'render', 'nope').code).toBe(2);
    expect(payctl('template', 'render', 'customer-resolved', '--channel', 'fax').code).toBe(2);
    expect(existsSync(join(dir, 'templates'))).toBe(false); // the shipped templates are used
  });
});

describe('an edited timeline', () => {
  /** A copy of the full fixture with line 5's actor changed after it was written. */
  function tampered(): string {
    const id = '20260314-020000-x999';
    cpSync(join(FIXTURE_STORE, IDS.full), join(dir, 'store', id), { recursive: true });
    const file = join(dir, 'store', id, 'timeline.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[4] = lines[4]!.replace(/"actor":"[^"]*"/, '"actor":"mallory"');
    writeFileSync(file, lines.join('\n'));
    return id;
  }
  const WARNING = "warning: the timeline's hash chain is broken at line 5";

  it('incident show warns on stderr naming the first bad line and still succeeds (human and --json); verify exits 1', () => {
    const id = tampered();
    const human = payctl('incident', 'show', id);
    expect(human.code).toBe(0);
    expect(human.stderr).toContain(`${WARNING}: it may include edited events (details: payctl incident verify ${id})`);
    expect(human.stdout).toContain('mallory');
    const json = payctl('incident', 'show', id, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).incident.id).toBe(IDS.full);
    expect(json.stderr).toContain(WARNING);
    expect(payctl('incident', 'verify', id).code).toBe(1);
    // an intact timeline: no warning
    expect(payctl('incident', 'show', IDS.full).stderr).not.toContain('hash chain');
  });

  it('the postmortem draft starts with a plain warning', () => {
    const id = tampered();
    const r = payctl('postmortem', id);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(WARNING);
    const draft = readFileSync(join(dir, 'store', id, 'postmortem.md'), 'utf8');
    expect(draft.split('\n')[0]).toBe(
      `> **Warning: the timeline's hash chain is broken at line 5: this draft may include edited events. Check it with payctl incident verify ${id}.**`,
    );
    expect(draft).toContain('# Postmortem:');
    expect(readFileSync(join(dir, 'store', IDS.full, 'postmortem.md'), 'utf8')).not.toContain('hash chain');
  });
});

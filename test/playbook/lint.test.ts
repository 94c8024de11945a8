/**
 * Every validation problem class, each with its exact line and column, found in
 * one run (syntax, schema and lint together).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validatePlaybookFile } from '../../src/playbook/load.js';
import { Config } from '../../src/config/schema.js';
import { SHIPPED_TEMPLATES, SANDBOX_LIKE_CONFIG, tempDir, writePlaybook } from './helpers.js';

const config = Config.parse(parse(SANDBOX_LIKE_CONFIG));
const withConfig = {
  providers: Object.keys(config.providers),
  channels: Object.keys(config.channels),
  config,
  templatesDir: SHIPPED_TEMPLATES,
};

/** Problems as "line:col: message" (file name dropped). */
function check(lines: string[], opts: Parameters<typeof validatePlaybookFile>[1] = {}): string[] {
  const file = writePlaybook(tempDir(), 'p.yaml', lines);
  return validatePlaybookFile(file, opts).problems.map((p) => {
    expect(p.file).toBe(file);
    return `${p.line}:${p.col}: ${p.message}`;
  });
}

const HEAD = ['id: t', 'title: Test', 'inputs:', '  provider: { prompt: Which?, default: stripe }', 'steps:'];

describe('syntax', () => {
  it('reports a YAML syntax error at its position', () => {
    const problems = check(['id: t', 'title: [unclosed', 'steps: []']);
    expect(problems[0]).toMatch(/^3:1: /);
  });
  it('reports a duplicate key at the second one', () => {
    expect(check(['id: t', 'title: A', 'title: B', 'steps: []'])).toEqual(['3:1: duplicate key "title" (first written on line 2)']);
  });
});

describe('schema', () => {
  it('finds a misspelt key, a missing field, a wrong type and an unknown step type in one run', () => {
    const problems = check([
      ...HEAD,
      '  - id: a', //             6
      '    titel: A', //          7
      '    type: manual', //      8
      '  - id: b', //             9
      '    title: B', //          10
      '    type: notify', //      11
      '    channels: slack', //   12
      '    template: customer-resolved',
      '  - id: c', //             14
      '    title: C',
      '    type: teleport', //    16
    ]);
    expect(problems).toEqual([
      '6:5: step "a": missing required key "title"',
      '7:5: step "a": unknown key "titel" (did you mean "title"?)',
      '12:15: step "b": channels: expected array, received string',
      '16:11: step "c": type: unknown type "teleport" (one of: manual, input, choose, check_status, query_metrics, switch_provider, shift_traffic, notify, escalate, http, shell, wait, set_status)',
    ]);
  });

  it('says clearly what a malformed duration is', () => {
    expect(check([...HEAD, '  - id: w', '    title: W', '    type: wait', '    duration: 5 minutes'])).toEqual([
      '9:15: step "w": duration: "5 minutes" is not a duration (write a duration like 30s, 5m, 2h or 1h30m, or a {{ template }} that gives one)',
    ]);
  });

  it('reports an enum value with what was written', () => {
    expect(check([...HEAD, '  - id: s', '    title: S', '    type: set_status', '    status: done'])).toEqual([
      '9:13: step "s": status: "done" is not one of: investigating, identified, monitoring, resolved',
    ]);
  });
});

describe('lint', () => {
  it('duplicate step ids, pointing at the second id', () => {
    expect(check([...HEAD, '  - id: a', '    title: A', '    type: manual', '  - id: a', '    title: B', '    type: manual'])).toEqual([
      '9:9: step "a": duplicate step id "a" (first used on line 6)',
    ]);
  });

  it('a template reading an unknown input, at the reference itself', () => {
    expect(check([...HEAD, '  - id: c', '    title: C', '    type: check_status', '    provider: "x {{ inputs.provder }}"'])).toEqual([
      '9:21: step "c": provider: unknown input "provder" in inputs.provder (declared: provider)',
    ]);
  });

  it('a condition reading an unknown step, a later step, or itself', () => {
    const problems = check([
      ...HEAD,
      '  - id: a',
      '    title: A',
      '    type: manual',
      '    when: steps.nope.outcome == "ok" or steps.b.outcome == "ok"', // 9
      '  - id: b',
      '    title: B',
      '    type: manual',
      '    when: steps.b.outcome == "ok"', // 13
    ]);
    expect(problems).toEqual([
      '9:11: step "a": when: unknown step "nope" in steps.nope.outcome',
      '9:41: step "a": when: steps.b.outcome: step "b" only runs later (step 2); a step can read only the steps before it',
      '13:11: step "b": when: steps.b.outcome: a step cannot read its own result',
    ]);
  });

  it("a step field that is not in a step's scope suggests result.<field>", () => {
    expect(
      check([
        ...HEAD,
        '  - id: c',
        '    title: C',
        '    type: check_status',
        '    provider: stripe',
        '  - id: m',
        '    title: M',
        '    type: manual',
        '    when: steps.c.status == "major_outage"',
      ]),
    ).toEqual([
      '13:11: step "m": when: steps.c.status: a step\'s scope has outcome, value, result, error (did you mean steps.c.result.status?)',
    ]);
  });

  it("a result field the step's type does not record is caught, with the nearest field", () => {
    expect(
      check([
        ...HEAD,
        '  - id: check',
        '    title: C',
        '    type: check_status',
        '    provider: stripe',
        '  - id: call',
        '    title: Call',
        '    type: http',
        '    url: http://127.0.0.1:9/x',
        '    capture: { ticket: $.id }',
        '  - id: m',
        '    title: M',
        '    type: manual',
        '    when: steps.check.result.staus == "major_outage"', // 18
        '    instructions: "{{ steps.call.result.ticket }} {{ steps.call.result.status }} {{ steps.check.result.zzzzzz }}"',
      ]),
    ).toEqual([
      '18:11: step "m": when: steps.check.result.staus: a check_status step\'s result has no "staus" (did you mean status?)',
      '19:85: step "m": instructions: steps.check.result.zzzzzz: a check_status step\'s result has no "zzzzzz" (it has provider, status, indicator, components, incidents, maintenances, maintenance_window, overlapping_maintenances, dry_run)',
    ]);
  });

  it('unknown roots, vars outside message templates, and unknown incident fields', () => {
    expect(
      check([
        ...HEAD,
        '  - id: m',
        '    title: M',
        '    type: manual',
        '    instructions: "{{ foo.bar }} {{ vars.x }} {{ incident.owner }}"',
      ]),
    ).toEqual([
      '9:23: step "m": instructions: unknown variable "foo" (templates and conditions can read inputs, steps, incident, config, now)',
      '9:37: step "m": instructions: vars.x: vars exist only inside message templates; pass values with the step\'s vars:',
      '9:50: step "m": instructions: unknown incident field "owner" in incident.owner (one of: id, title, severity, status, playbook, started_at, elapsed, dry_run, roles, team)',
    ]);
  });

  it('input defaults cannot read steps', () => {
    expect(
      check([
        'id: t',
        'title: T',
        'inputs:',
        '  a: { prompt: A, default: "{{ steps.x.value }}" }',
        'steps:',
        '  - { id: x, title: X, type: manual }',
      ]),
    ).toEqual(['4:32: input "a": default: steps.x.value: no step has run yet here (input defaults are filled in before the first step)']);
  });

  it('liquid syntax errors', () => {
    expect(check([...HEAD, '  - id: m', '    title: M', '    type: manual', '    instructions: "{{ inputs.provider | shout }}"'])).toEqual([
      '9:19: step "m": instructions: template syntax error: undefined filter: shout',
    ]);
    expect(check([...HEAD, '  - id: m', '    title: M', '    type: manual', '    when: inputs.provider ==='])[0]).toMatch(
      /^9:11: step "m": when: condition syntax error: /,
    );
  });

  it('unknown providers and channels against the config, only when literal and only with a config', () => {
    const lines = [
      ...HEAD,
      '  - id: s',
      '    title: S',
      '    type: switch_provider',
      '    to: worldpay', // 9
      '    from: "{{ inputs.provider }}"',
      '  - id: n',
      '    title: N',
      '    type: notify',
      '    channels: [slack, pager]', // 14
      '    template: customer-resolved',
      '  - id: e',
      '    title: E',
      '    type: escalate',
      '    to: checkout', // 19
      '    template: processor-follow-up',
      '    vars: { provider: checkout }',
    ];
    expect(check(lines, withConfig)).toEqual([
      '9:9: step "s": to: unknown provider "worldpay" (declared: stripe, adyen, braintree)',
      '14:23: step "n": channels: unknown channel "pager" (declared: slack, statuspage, email, banner, social, pagerduty, processor-support)',
      '19:9: step "e": to: unknown provider "checkout" (declared: stripe, adyen, braintree)',
    ]);
    expect(check(lines, {})).toEqual([]);
  });

  it('trigger providers are checked against the config (primary and any are keywords)', () => {
    const lines = [
      'id: t',
      'title: T',
      'triggers:',
      '  - { provider: primary }',
      '  - { provider: any }',
      '  - { provider: paypal, status: [major_outage] }',
      'steps:',
      '  - { id: x, title: X, type: manual }',
    ];
    expect(check(lines, withConfig)).toEqual([
      '6:17: triggers[2]: provider: unknown provider "paypal" (primary, any, or declared: stripe, adyen, braintree)',
    ]);
    expect(check(lines, {})).toEqual([]);
  });

  it('config.* references are checked against a config when there is one', () => {
    const lines = [
      'id: t',
      'title: T',
      'inputs:',
      '  p: { prompt: P, default: "{{ config.routing.secondary }}" }',
      'steps:',
      '  - { id: x, title: X, type: manual }',
    ];
    expect(check(lines, withConfig)).toEqual([
      '4:32: input "p": default: config.routing.secondary: the config has no config.routing.secondary',
    ]);
    expect(check(lines, {})).toEqual([]);
  });

  it('message templates: unknown template and missing required vars, at the template: key', () => {
    expect(
      check(
        [
          ...HEAD,
          '  - id: n',
          '    title: N',
          '    type: notify',
          '    channels: [slack]',
          '    template: customer-updat',
          '  - id: u',
          '    title: U',
          '    type: notify',
          '    channels: [slack]',
          '    template: customer-update',
        ],
        withConfig,
      ),
    ).toEqual([
      expect.stringMatching(/^10:5: step "n": template: unknown message template "customer-updat"/),
      expect.stringMatching(/^15:5: step "u": template: template customer-update needs vars\.eta/),
    ]);
  });

  it('wait needs duration or until; until needs a timeout; interval must fit the timeout', () => {
    expect(
      check([
        ...HEAD,
        '  - id: w1',
        '    title: W1',
        '    type: wait', // 8
        '  - id: w2',
        '    title: W2',
        '    type: wait',
        '    until: inputs.provider == "x"', // 12
        '    interval: 5s',
        '  - id: w3',
        '    title: W3',
        '    type: wait',
        '    until: inputs.provider == "x"',
        '    interval: 10m', // 18
        '    timeout: 1m',
      ]),
    ).toEqual([
      '6:5: step "w1": a wait step needs duration (a fixed wait) or until (a condition)',
      '12:5: step "w2": a wait with until needs a timeout (how long to wait before giving up)',
      '18:15: step "w3": interval 10m is longer than timeout 1m; until would be checked at most once',
    ]);
  });

  it('recheck names earlier read steps only', () => {
    expect(
      check([
        ...HEAD,
        '  - { id: m, title: M, type: manual }',
        '  - { id: c, title: C, type: check_status, provider: stripe }',
        '  - id: w',
        '    title: W',
        '    type: wait',
        '    until: steps.c.result.status == "operational"',
        '    timeout: 1m',
        '    recheck: [c, m, later, nope]', // 13
        '  - { id: later, title: L, type: check_status, provider: stripe }',
      ]),
    ).toEqual([
      '13:18: step "w": recheck: step "m" is a manual step; only check_status, query_metrics and http steps can be re-run',
      '13:21: step "w": recheck: step "later" must come before this wait step',
      '13:28: step "w": recheck: unknown step "nope"',
    ]);
  });

  it('a templated duration whose input default is not a duration', () => {
    expect(
      check([
        'id: t',
        'title: T',
        'inputs:',
        '  wait_for: { prompt: How long?, default: half an hour }',
        'steps:',
        '  - { id: w, title: W, type: wait, duration: "{{ inputs.wait_for }}" }',
      ]),
    ).toEqual(['4:43: input "wait_for": default "half an hour" is not a duration, but step "w": duration uses it as one']);
  });

  it('drill vars must answer an input or a choose step; the fault must be a fault spec', () => {
    expect(
      check([
        ...HEAD,
        '  - { id: m, title: M, type: choose, prompt: P, options: [a, b] }',
        'drill:',
        '  fault: stripe down',
        '  vars: { provider: adyen, m: b, timeout: 5s }',
        '  expect: { status: resolved }',
      ]),
    ).toEqual([
      '8:10: drill: fault: "stripe down" is not a fault spec (write <target>:<kind>[:<heal-after>], e.g. stripe:down:6s)',
      '9:34: drill: vars: "timeout" is neither an input nor an input/choose step (known: provider, m)',
    ]);
  });

  it('drill scenarios are checked like the drill: vars that answer nothing, a malformed fault', () => {
    expect(
      check([
        ...HEAD,
        '  - { id: a, title: A, type: manual }',
        'drill:',
        '  fault: stripe:down:6s',
        '  expect: { status: resolved }',
        '  scenarios:',
        '    canary-halts:',
        '      fault: stripe:early_recovery 6s',
        '      orders_per_minute: 1200',
        '      vars: { provider: adyen, hold: 5s }',
        '      expect: { canary: halted, canary_customers_above: 0.95 }',
      ]),
    ).toEqual([
      '12:14: drill scenario "canary-halts": fault: "stripe:early_recovery 6s" is not a fault spec (write <target>:<kind>[:<heal-after>], e.g. stripe:down:6s)',
      '14:32: drill scenario "canary-halts": vars: "hold" is neither an input nor an input/choose step (known: provider)',
    ]);
  });

  it('reports schema and lint problems of one file together, in line order', () => {
    const problems = check([
      ...HEAD,
      '  - id: a',
      '    title: A',
      '    type: manual',
      '    colour: red',
      '  - id: a',
      '    title: B',
      '    type: manual',
    ]);
    expect(problems).toEqual(['9:5: step "a": unknown key "colour"', '10:9: step "a": duplicate step id "a" (first used on line 6)']);
  });
});

describe('bad files', () => {
  it('an empty file and a comment-only file', () => {
    expect(check([''])).toEqual(['1:1: file is empty']);
    expect(check(['# nothing here'])).toEqual(['1:1: file has no YAML content (only comments?)']);
  });
  it('a missing file', () => {
    const r = validatePlaybookFile(join(tempDir(), 'missing.yaml'));
    expect(r.problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual(['1:1: file not found']);
  });
});

describe('ask: and decline_codes', () => {
  it('an input asked late or never needs a default; ask takes only early, late or never', () => {
    const problems = check([
      'id: t',
      'title: Test',
      'inputs:',
      '  eta: { prompt: ETA?, ask: late }',
      '  timeout: { prompt: Timeout?, ask: never, default: 2h }',
      '  mode: { prompt: Mode?, ask: sometimes, default: a }',
      'steps:',
      '  - { id: a, title: A, type: manual }',
    ]);
    expect(
      problems.some((p) => /^4:\d+: input "eta": ask: late takes the default without asking, but the input has no default/.test(p)),
    ).toBe(true);
    expect(problems.some((p) => p.startsWith('6:') && /early|late|never/.test(p))).toBe(true);
    expect(problems.some((p) => p.startsWith('5:'))).toBe(false);
  });
  it('decline_codes without decline_rate_above is reported', () => {
    const problems = check([
      'id: t',
      'title: Test',
      'triggers:',
      '  - { decline_codes: [do_not_honor], success_rate_below: 0.9 }',
      'steps:',
      '  - { id: a, title: A, type: manual }',
    ]);
    expect(problems).toEqual([expect.stringMatching(/^4:\d+: triggers\[0\]: decline_codes counts toward decline_rate_above/)]);
  });
});

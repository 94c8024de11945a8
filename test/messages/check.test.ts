// Message templates: checkTemplateUse (validate time), the social 280 limit at
// render time, and every shipped template passing its own checks.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTemplateUse } from '../../src/messages/check.js';
import { charCount, renderMessage } from '../../src/messages/render.js';
import { listMessageTemplateNames, loadMessageTemplate, MESSAGE_CHANNELS } from '../../src/messages/templates.js';
import { sampleScope } from '../../src/messages/sample.js';
import { InvalidInputError } from '../../src/errors.js';

const SHIPPED = fileURLToPath(new URL('../../templates/', import.meta.url));
const CONTRACT: Record<string, string[]> = {
  'customer-acknowledge': ['impact'],
  'customer-update': ['eta', 'impact'],
  'customer-alternatives': ['alternatives'],
  'customer-resolved': [],
  'maintenance-notice': ['provider', 'window'],
  'security-notice': ['impact'],
  'team-update': ['summary'],
  'processor-escalation': ['provider', 'observed', 'ask_eta'],
  'processor-follow-up': ['provider'],
  'processor-resolved': ['provider'],
};

function templatesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-tpl-'));
  mkdirSync(join(dir, 'messages'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'messages', `${name}.yaml`), text);
  return dir;
}

const scope = (vars: Record<string, unknown> = {}) => ({
  incident: {
    id: 'i-1',
    title: 't',
    severity: 'sev1',
    status: 'identified',
    playbook: 'p',
    started_at: '2026-03-14T02:03:04.000Z',
    elapsed: '5m',
    dry_run: false,
  },
  config: {},
  vars,
  now: '2026-03-14T02:08:04.000Z',
});

describe('shipped message templates', () => {
  it('has every template of the contract, with its vars', () => {
    expect(listMessageTemplateNames(SHIPPED)).toEqual(Object.keys(CONTRACT).sort());
    for (const [name, vars] of Object.entries(CONTRACT)) {
      const declared = Object.keys(loadMessageTemplate(SHIPPED, name).vars);
      for (const v of vars) expect(declared, `${name} declares ${v}`).toContain(v);
    }
  });

  it('each passes checkTemplateUse when its required vars are supplied', () => {
    for (const name of Object.keys(CONTRACT)) {
      const t = loadMessageTemplate(SHIPPED, name);
      const required = Object.entries(t.vars)
        .filter(([, d]) => d.required)
        .map(([k]) => k);
      expect(checkTemplateUse(SHIPPED, name, required), name).toEqual([]);
    }
  });

  it('customer notices render on every channel, socials within 280 characters', async () => {
    for (const name of ['customer-acknowledge', 'customer-update', 'customer-alternatives', 'customer-resolved']) {
      const t = loadMessageTemplate(SHIPPED, name);
      expect(Object.keys(t.variants).sort()).toEqual([...MESSAGE_CHANNELS].sort());
      for (const ch of MESSAGE_CHANNELS) {
        const m = await renderMessage(SHIPPED, name, ch, sampleScope(t, {}));
        expect(m.body.length, `${name} ${ch}`).toBeGreaterThan(10);
        if (ch === 'email') expect(m.subject).toBeTruthy();
        if (ch === 'social') expect(charCount(m.body)).toBeLessThanOrEqual(280);
      }
    }
    const ack = await renderMessage(SHIPPED, 'customer-acknowledge', 'email', scope());
    expect(ack.body).toContain('sorry');
    expect(ack.body).toContain('Some card payments may fail or be delayed'); // the declared default
  });

  it('the processor escalation carries incident id, start, components, observed rates, impact and the ETA asked', async () => {
    const m = await renderMessage(
      SHIPPED,
      'processor-escalation',
      'email',
      scope({ provider: 'stripe', observed: 'success rate 41%, processing_error 71%' }),
    );
    for (const s of [
      'i-1',
      '2026-03-14T02:03:04.000Z',
      'card payments (authorisations)',
      'success rate 41%, processing_error 71%',
      'an ETA within 30 minutes',
      'Business impact',
    ])
      expect(m.body).toContain(s);
    expect(m.subject).toContain('stripe');
  });

  it('a required var without a value is an error, not a blank', async () => {
    const err = await renderMessage(SHIPPED, 'customer-update', 'email', scope()).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toContain('vars.eta');
  });
});

describe('checkTemplateUse', () => {
  const dir = templatesDir({
    ok: 'description: fine\nvars:\n  eta: { description: when, required: true }\nslack: "{{ incident.id }} {{ vars.eta }} {% for x in config.list %}{{ x }}{% endfor %}"\n',
    'bare-var': 'description: uses a bare name\nslack: "Hello {{ customer_name }}"\n',
    undeclared: 'description: uses vars.eta without declaring it\nemail: { subject: "Update", body: "Fixed {{ vars.eta }}" }\n',
    'bad-incident': 'description: x\nbanner: "{{ incident.region }}"\n',
    'bad-syntax': 'description: x\nslack: "{% if vars.a %}open"\nvars:\n  a: { default: "1" }\n',
    'long-social': `description: x\nvars:\n  impact: { default: "${'very '.repeat(60)}bad" }\nsocial: "We are sorry: {{ vars.impact }}"\n`,
  });

  it('accepts a template whose variables are declared or under incident/config', () => {
    expect(checkTemplateUse(dir, 'ok', ['eta'])).toEqual([]);
  });

  it('reports an unknown template with the known names', () => {
    const p = checkTemplateUse(dir, 'no-such-template', []);
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('unknown message template "no-such-template"');
    expect(p[0]).toContain('customer-acknowledge'); // shipped templates are found too
  });

  it('reports a variable that is neither declared nor under incident/config', () => {
    expect(checkTemplateUse(dir, 'bare-var', [])[0]).toContain('unknown variable "customer_name"');
    expect(checkTemplateUse(dir, 'undeclared', [])[0]).toContain('vars.eta, which is not declared');
    expect(checkTemplateUse(dir, 'bad-incident', [])[0]).toContain('incident.region');
  });

  it('reports a required var the step does not supply, and a supplied var the template does not use', () => {
    expect(checkTemplateUse(dir, 'ok', [])).toEqual([expect.stringContaining('needs vars.eta')]);
    expect(checkTemplateUse(dir, 'ok', ['eta', 'etaa'])).toEqual([expect.stringContaining('vars.etaa is not used')]);
  });

  it('reports a liquid syntax error', () => {
    expect(checkTemplateUse(dir, 'bad-syntax', [])[0]).toMatch(/template bad-syntax \(slack\): .*not closed/);
  });

  it('finds a social post over 280 characters with the declared defaults', () => {
    expect(checkTemplateUse(dir, 'long-social', [])[0]).toMatch(/\(social\) renders to \d+ characters/);
  });

  it('renderMessage refuses a social post over 280 characters, naming the template', async () => {
    const err = await renderMessage(dir, 'long-social', 'social', scope()).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(/template long-social \(social\) renders to 3\d\d characters; a social post may have at most 280/);
    // exactly 280 passes
    const exact = await renderMessage(dir, 'long-social', 'social', scope({ impact: 'x'.repeat(280 - 'We are sorry: '.length) }));
    expect(charCount(exact.body)).toBe(280);
  });
});

/** The seven shipped playbooks: present, valid with and without a config, schema line, drills, and the committed JSON Schema. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Config } from '../../src/config/schema.js';
import { listPlaybookFiles, validatePlaybookFile } from '../../src/playbook/load.js';
import { playbookJsonSchemaText } from '../../src/playbook/json-schema.js';
import { parseDuration } from '../../src/duration.js';
import { REPO, SANDBOX_LIKE_CONFIG, SHIPPED_PLAYBOOK_IDS, SHIPPED_PLAYBOOKS, SHIPPED_TEMPLATES } from './helpers.js';

const files = listPlaybookFiles(SHIPPED_PLAYBOOKS);
const config = Config.parse(parse(SANDBOX_LIKE_CONFIG));

describe('shipped playbooks', () => {
  it('are the seven scenarios', () => {
    expect(files.map((f) => f.split('/').pop())).toEqual(SHIPPED_PLAYBOOK_IDS.map((id) => `${id}.yaml`));
  });

  for (const file of files) {
    const name = file.split('/').pop()!;
    describe(name, () => {
      it('validates clean with no config', () => {
        const r = validatePlaybookFile(file, { templatesDir: SHIPPED_TEMPLATES });
        expect(r.problems).toEqual([]);
        expect(r.playbook?.id).toBe(name.replace('.yaml', ''));
      });

      it('validates clean against a sandbox-like config', () => {
        const r = validatePlaybookFile(file, {
          providers: Object.keys(config.providers),
          channels: Object.keys(config.channels),
          config,
          templatesDir: SHIPPED_TEMPLATES,
        });
        expect(r.problems).toEqual([]);
      });

      it('starts with the schema line for editors', () => {
        expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/playbook.schema.json');
      });

      it('communicates at every stage, escalates with a follow-up cadence, and has a drill', () => {
        const pb = validatePlaybookFile(file, { templatesDir: SHIPPED_TEMPLATES }).playbook!;
        const templates = new Set(pb.steps.flatMap((s) => (s.type === 'notify' ? [s.template] : [])));
        expect(templates.has('customer-resolved')).toBe(true);
        expect(templates.has('team-update')).toBe(true);
        const channels = new Set(pb.steps.flatMap((s) => (s.type === 'notify' ? s.channels : [])));
        for (const ch of ['statuspage', 'banner', 'email', 'social', 'slack']) expect(channels.has(ch)).toBe(true);
        // every outage playbook sets the statuses on the way to resolved
        const statuses = pb.steps.flatMap((s) => (s.type === 'set_status' ? [s.status] : []));
        expect(statuses).toContain('resolved');
        expect(statuses).toContain('monitoring');
        // a drill that fits the sandbox: a fault spec and short waits through its vars
        expect(pb.drill?.fault).toMatch(/^stripe:[a-z_]+:\d+s$/);
        // a playbook that fails back by canary drills one that completes and one that must halt (the page recovered, payments not)
        if (pb.steps.some((s) => s.type === 'shift_traffic')) {
          expect(pb.drill?.expect.canary).toBe('completed');
          const halting = Object.values(pb.drill?.scenarios ?? {}).find((sc) => sc.expect.canary === 'halted');
          expect(halting?.fault).toMatch(/^stripe:early_recovery=\d+s$/);
          expect(halting?.expect.canary_customers_above).toBeGreaterThan(0);
        }
        for (const s of pb.steps) {
          if (s.type !== 'wait' || !s.timeout) continue;
          const m = /^\{\{ inputs\.(\w+) \}\}$/.exec(s.timeout);
          const timeout = m ? String(pb.drill?.vars?.[m[1]!] ?? pb.inputs?.[m[1]!]?.default) : s.timeout;
          expect(parseDuration(timeout), `${s.id} timeout in a drill`).toBeLessThanOrEqual(180_000);
        }
      });
    });
  }

  it('every playbook but scheduled maintenance escalates to the processor with a reminder to follow up', () => {
    for (const file of files) {
      const pb = validatePlaybookFile(file).playbook!;
      const escalations = pb.steps.filter((s) => s.type === 'escalate');
      if (pb.id === 'scheduled-maintenance') {
        expect(escalations.every((s) => s.when)).toBe(true); // only when the window overruns
        continue;
      }
      expect(escalations.length, pb.id).toBeGreaterThan(0);
      expect(
        escalations.some((s) => s.remind_every),
        pb.id,
      ).toBe(true);
    }
  });
});

describe('schema/playbook.schema.json', () => {
  it('is the committed output of a fresh generation from the zod definition', () => {
    expect(readFileSync(join(REPO, 'schema', 'playbook.schema.json'), 'utf8')).toBe(playbookJsonSchemaText());
  });

  it('describes every step type', () => {
    const text = playbookJsonSchemaText();
    for (const t of [
      'manual',
      'input',
      'choose',
      'check_status',
      'query_metrics',
      'switch_provider',
      'notify',
      'escalate',
      'http',
      'shell',
      'wait',
      'set_status',
    ]) {
      expect(text).toContain(`"const": "${t}"`);
    }
  });
});

// Typed inputs: a typo in a provider, a duration that is not one, or a --var name the playbook
// does not have is exit 2 before any incident opens (and a person is asked again instead).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasStackTrace, runCli } from '../helpers/run-cli.js';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-inputs-'));
  mkdirSync(join(dir, 'playbooks'));
  writeFileSync(
    join(dir, 'payctl.config.yaml'),
    'providers:\n  stripe: { kind: stripe }\n  adyen: { kind: adyen }\nrouting: { primary: stripe, backups: [adyen] }\n',
  );
  writeFileSync(
    join(dir, 'playbooks', 'typed.yaml'),
    [
      'id: typed',
      'title: Typed inputs',
      'inputs:',
      '  provider: { prompt: Which processor?, type: provider, default: "{{ config.routing.primary }}" }',
      '  recovery_timeout: { prompt: How long to wait?, default: 2h }',
      '  orders: { prompt: Orders per minute?, default: 10 }',
      'steps:',
      '  - { id: pick, title: Pick a mode, type: choose, prompt: Mode?, options: [failover, wait], default: wait }',
      '  - { id: done, title: Done, type: set_status, status: resolved }',
      '',
    ].join('\n'),
  );
  return dir;
}

const start = (dir: string, ...vars: string[]) =>
  runCli(['incident', 'start', '--playbook', 'typed', '--yes', ...vars.flatMap((v) => ['--var', v])], { cwd: dir });
const noIncidents = (dir: string) => !existsSync(join(dir, '.payctl', 'incidents'));

describe('typed playbook inputs, unattended', () => {
  it('accepts good answers (by input name and by choose step id)', () => {
    const dir = project();
    const r = start(dir, 'provider=adyen', 'recovery_timeout=30m', 'orders=12', 'pick=failover');
    expect(r.code, r.stderr).toBe(0);
  });

  it('a provider that is not configured is exit 2 naming the configured ones', () => {
    const dir = project();
    const r = start(dir, 'provider=strpe');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('input provider: "strpe" is not a configured provider');
    expect(r.stderr).toContain('stripe, adyen');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(noIncidents(dir)).toBe(true);
  });

  it('an input whose default is a duration takes only durations', () => {
    const dir = project();
    const r = start(dir, 'recovery_timeout=ten minutes');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('input recovery_timeout: "ten minutes" is not a duration');
    expect(noIncidents(dir)).toBe(true);
  });

  it('a --var name the playbook does not have is a typo, not ignored', () => {
    const dir = project();
    const r = start(dir, 'provder=adyen');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('playbook typed has no input or input/choose step named provder (--var)');
    expect(r.stderr).toContain('it takes: provider, recovery_timeout, orders, pick');
    expect(noIncidents(dir)).toBe(true);
  });
});

describe('a default read from the config', () => {
  it('names the config key it needs when the config does not set it (exit 2), instead of a template error', async () => {
    const { answerInput } = await import('../../src/engine/inputs.js');
    const { emptyAnswers } = await import('../../src/ui/answers.js');
    const prompter = { canPrompt: false } as never;
    const err = await answerInput(
      'provider',
      { prompt: 'Which?', type: 'provider', default: '{{ config.routing.primary }}' },
      emptyAnswers(),
      prompter,
      { config: { providers: {} } },
    ).catch((e) => e);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      'input provider: its default {{ config.routing.primary }} reads routing.primary from payctl.config.yaml, which does not set it',
    );
    expect(err.hint).toContain('--var provider=<value>');
  });
});

describe('typed playbook inputs, with a person', () => {
  it('says what is wrong and asks again instead of ending the run', async () => {
    const { answerInput } = await import('../../src/engine/inputs.js');
    const { emptyAnswers } = await import('../../src/ui/answers.js');
    const typed = ['soon', '45m'];
    const notices: string[] = [];
    const prompter = {
      canPrompt: true,
      input: async () => typed.shift()!,
      select: async () => {
        throw new Error('not asked');
      },
      confirm: async () => true,
      checkbox: async () => [],
      notice: (t: string) => notices.push(t),
    };
    const a = await answerInput('recovery_timeout', { prompt: 'How long?', default: '2h' }, emptyAnswers(), prompter as never, {
      config: {},
    });
    expect(a).toEqual({ name: 'recovery_timeout', value: '45m', from: 'prompt' });
    expect(notices).toEqual(['input recovery_timeout: "soon" is not a duration']);
  });

  it('offers the configured providers as a list for a provider input', async () => {
    const { answerInput } = await import('../../src/engine/inputs.js');
    const { emptyAnswers } = await import('../../src/ui/answers.js');
    let offered: string[] = [];
    let labels: string[] = [];
    const prompter = {
      canPrompt: true,
      input: async () => {
        throw new Error('not asked');
      },
      select: async (_m: string, choices: { value: string; name: string }[]) => {
        offered = choices.map((c) => c.value);
        labels = choices.map((c) => c.name);
        return 'adyen';
      },
      confirm: async () => true,
      checkbox: async () => [],
      notice: () => undefined,
    };
    const a = await answerInput('backup', { prompt: 'Backup?', type: 'provider' }, emptyAnswers(), prompter as never, {
      config: { providers: { stripe: {}, adyen: {} } },
    });
    expect(offered).toEqual(['stripe', 'adyen']);
    expect(labels).toEqual(['stripe', 'adyen']);
    expect(a.value).toBe('adyen');
    // asked for the backup after naming the failing one: that one is marked
    await answerInput('backup', { prompt: 'Backup?', type: 'provider' }, emptyAnswers(), prompter as never, {
      config: { providers: { stripe: {}, adyen: {} } },
      inputs: { provider: 'stripe' },
    });
    expect(offered).toEqual(['stripe', 'adyen']);
    expect(labels).toEqual(['stripe (your answer for provider)', 'adyen']);
  });
});

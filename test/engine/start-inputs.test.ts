/** Asking only what matters before mitigation: ask: early|late|never, one confirm question for known values, refusal at the prompt. */
import { describe, expect, it } from 'vitest';
import { Config } from '../../src/config/schema.js';
import { Playbook } from '../../src/playbook/schema.js';
import { answerStartInputs, deferredSummary } from '../../src/engine/start-inputs.js';
import { answerInput, coerce, type AnsweredInput } from '../../src/engine/inputs.js';
import { emptyAnswers, parseVars } from '../../src/ui/answers.js';
import type { AskOptions } from '../../src/ui/prompter.js';
import { scriptedPrompter } from './helpers.js';

const config = Config.parse({
  providers: { stripe: { kind: 'stripe' }, adyen: { kind: 'adyen' } },
  routing: { primary: 'stripe', backups: ['adyen'] },
});
const playbook = Playbook.parse({
  id: 'p',
  title: 'P',
  inputs: {
    provider: { prompt: 'Which processor is failing?', type: 'provider', default: '{{ config.routing.primary }}' },
    backup: { prompt: 'Which backup?', type: 'provider', default: '{{ config.routing.backups[0] }}' },
    reason: { prompt: 'What do you see?' },
    eta: { prompt: 'ETA?', default: 'within the next hour', ask: 'late' },
    recovery_timeout: { prompt: 'Recovery timeout?', default: '2h', ask: 'never' },
  },
  steps: [{ id: 'a', title: 'a', type: 'manual' }],
});

async function run(answers: unknown[], o: { vars?: string[]; suggested?: Parameters<typeof answerStartInputs>[0]['suggested'] } = {}) {
  const prompter = scriptedPrompter(answers);
  const recorded: AnsweredInput[] = [];
  const deferred = await answerStartInputs({
    playbook,
    answers: parseVars(o.vars),
    prompter,
    suggested: o.suggested,
    scope: () => ({ config, inputs: Object.fromEntries(recorded.map((a) => [a.name, a.value])) }),
    record: async (a) => {
      recorded.push(a);
    },
  });
  return { prompter, recorded, deferred };
}

describe('answerStartInputs', () => {
  it('known values are confirmed in one question; late and never inputs are not asked and come back for the summary', async () => {
    const r = await run([true, 'cards fail'], { suggested: { provider: { value: 'stripe', why: 'major_outage' } } });
    expect(r.prompter.asked).toEqual(['provider stripe (major_outage), backup adyen: go with these?', 'What do you see?']);
    expect(Object.fromEntries(r.recorded.map((a) => [a.name, [a.value, a.from]]))).toEqual({
      provider: ['stripe', 'prompt'],
      backup: ['adyen', 'prompt'],
      reason: ['cards fail', 'prompt'],
      eta: ['within the next hour', 'default'],
      recovery_timeout: ['2h', 'default'],
    });
    expect(deferredSummary(r.deferred)).toBe('eta "within the next hour", recovery_timeout 2h');
  });

  it('"no" asks each known value on its own, pre-filled', async () => {
    const r = await run([false, 'stripe', 'stripe', 'x']);
    expect(r.prompter.asked).toEqual([
      'provider stripe, backup adyen: go with these?',
      'Which processor is failing?',
      'Which backup?',
      'What do you see?',
    ]);
    expect(r.recorded.find((a) => a.name === 'backup')!.value).toBe('stripe');
  });

  it('a --var answers its input without a question, also one asked late', async () => {
    const r = await run([true, 'x'], { vars: ['eta=tomorrow', 'backup=adyen'] });
    expect(r.prompter.asked).toEqual(['provider stripe: go with this?', 'What do you see?']);
    expect(r.recorded.find((a) => a.name === 'eta')).toEqual({ name: 'eta', value: 'tomorrow', from: 'var' });
    expect(r.deferred.map((a) => a.name)).toEqual(['recovery_timeout']);
  });
});

describe('a rejected answer is refused by the prompt itself', () => {
  it('the prompt gets a validate that refuses "soon" for a duration and a malformed URL, with the reason', async () => {
    const seen: AskOptions[] = [];
    const prompter = { ...scriptedPrompter(['30m']) };
    const input = prompter.input.bind(prompter);
    prompter.input = async (m: string, d?: string, opts?: AskOptions) => {
      seen.push(opts!);
      return input(m, d, opts);
    };
    const scope = { config, inputs: {} };
    await answerInput('wait', { prompt: 'How long?', type: 'duration' }, emptyAnswers(), prompter, scope);
    expect(seen[0]!.validate!('soon')).toMatch(/^"soon" is not a duration/);
    expect(seen[0]!.validate!('30m')).toBe(true);
    prompter.input = async (_m: string, _d?: string, opts?: AskOptions) => {
      seen.push(opts!);
      return 'https://rules.example.com/strict';
    };
    await answerInput('fraud_rules_url', { prompt: 'URL?', type: 'url' }, emptyAnswers(), prompter, scope);
    expect(seen[1]!.validate!('htp//fraud rules')).toBe('"htp//fraud rules" is not a URL');
    expect(seen[1]!.validate!('https://rules.example.com/strict')).toBe(true);
  });

  it('url inputs: http(s) with a host, or empty for none', () => {
    const spec = { prompt: 'URL?', type: 'url' as const };
    expect(coerce('u', spec, '')).toBe('');
    expect(coerce('u', spec, 'http://127.0.0.1:9/x')).toBe('http://127.0.0.1:9/x');
    for (const bad of ['htp//fraud rules', 'ftp://x.example', 'https://', 'https://a b.example'])
      expect(() => coerce('u', spec, bad)).toThrow(/is not a URL/);
  });
});

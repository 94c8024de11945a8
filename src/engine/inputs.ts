/**
 * Playbook inputs: from --var / the answers file, else asked (with a person),
 * else the default (which may be a template over `config`), else exit 2 naming
 * the input and `--var name=value`.
 */
import { InvalidInputError } from '../errors.js';
import { choiceLabel, choiceValue } from '../playbook/enums.js';
import type { Playbook, PlaybookInput } from '../playbook/schema.js';
import { hasTemplate, renderString, type Scope } from '../template/engine.js';
import { DURATION_HINT, isDuration } from '../duration.js';
import { toBoolean, type Answers } from '../ui/answers.js';
import type { Prompter } from '../ui/prompter.js';

export interface AnsweredInput {
  name: string;
  value: unknown;
  from: 'prompt' | 'var' | 'answers' | 'trigger' | 'default' | 'set';
}

/** When a person is asked for an input (`ask:` in the playbook; default early). */
export function askMode(spec: PlaybookInput): 'early' | 'late' | 'never' {
  return spec.ask ?? 'early';
}

/**
 * Answer one input. `scope` is for rendering the default (config, earlier inputs).
 * `ask: false`: even with a person, take the default (an input asked late or never).
 */
export async function answerInput(
  name: string,
  spec: PlaybookInput,
  answers: Answers,
  prompter: Prompter,
  scope: Scope,
  opts: { ask?: boolean; suggested?: string } = {},
): Promise<AnsweredInput> {
  const given = answers.values[name];
  if (given !== undefined) return { name, value: coerce(name, spec, given, providerNames(scope)), from: answers.from[name] ?? 'var' };
  const def = opts.suggested ?? (await defaultOf(name, spec, scope));
  const required = spec.required ?? def === undefined;
  const providers = providerNames(scope);
  if (prompter.canPrompt && opts.ask !== false) {
    const message = spec.description ? `${spec.prompt} (${spec.description})` : spec.prompt;
    const choices = spec.choices?.length
      ? spec.choices.map((c) => ({ value: choiceValue(c), name: choiceLabel(c) }))
      : inputType(spec) === 'provider' && providers.length
        ? providerChoices(providers, scope)
        : undefined;
    // a wrong answer is refused by the prompt itself, with the reason, and asked again at once (no tick first)
    const validate = (text: string): true | string => {
      try {
        coerce(name, spec, text, providers);
        return true;
      } catch (e) {
        if (e instanceof InvalidInputError) return refusal(e);
        throw e;
      }
    };
    for (;;) {
      const raw = choices
        ? await prompter.select(message, choices, def === undefined ? undefined : String(def), { name })
        : await prompter.input(message, def === undefined ? undefined : String(def), { name, validate });
      try {
        return { name, value: coerce(name, spec, raw, providers), from: 'prompt' };
      } catch (e) {
        if (!(e instanceof InvalidInputError)) throw e;
        prompter.notice(e.message);
      }
    }
  }
  if (def !== undefined) return { name, value: coerce(name, spec, def, providers), from: 'default' };
  if (!required) return { name, value: null, from: 'default' };
  const example = spec.choices?.length ? `<${spec.choices.map(choiceValue).join('|')}>` : '<value>';
  throw new InvalidInputError(
    `missing required input "${name}" (${spec.prompt}) and no person to ask`,
    `pass --var ${name}=${example} (or put ${name}: … in the --answers file)`,
  );
}

/** An input's default, rendered (a template over config or earlier inputs); undefined when it has none. */
export async function defaultOf(name: string, spec: PlaybookInput, scope: Scope): Promise<unknown> {
  if (spec.default === undefined) return undefined;
  return typeof spec.default === 'string' ? renderDefault(name, spec.default, scope) : spec.default;
}

/** What the prompt says under a refused answer: the problem, without the --var hint meant for the command line. */
function refusal(e: InvalidInputError): string {
  return e.message.replace(/^input [\w-]+: /, '');
}

/** A default written over the config ({{ config.routing.primary }}) names what the config lacks. */
async function renderDefault(name: string, text: string, scope: Scope): Promise<string> {
  try {
    return await renderString(text, scope, `input ${name}, default`);
  } catch (e) {
    const undefinedVar = /undefined variable: (config\.[\w.]+)/.exec(e instanceof Error ? e.message : '')?.[1];
    if (!undefinedVar) throw e;
    // the whole path the default names (config.routing.primary), not only its first missing part
    const missing = /\{\{\s*(config\.[\w.]+)/.exec(text)?.[1] ?? undefinedVar;
    throw new InvalidInputError(
      `input ${name}: its default ${text.trim()} reads ${missing.slice('config.'.length)} from payctl.config.yaml, which does not set it`,
      `pass --var ${name}=<value>, or set it in the config (no config file yet? payctl init writes one; docs/config.md)`,
    );
  }
}

/** An input's type: declared, else that of its default (a literal duration default makes a duration). */
export function inputType(spec: PlaybookInput): NonNullable<PlaybookInput['type']> {
  if (spec.type) return spec.type;
  if (typeof spec.default === 'number') return 'number';
  if (typeof spec.default === 'boolean') return 'boolean';
  if (typeof spec.default === 'string' && !hasTemplate(spec.default) && isDuration(spec.default)) return 'duration';
  return 'text';
}

/**
 * The configured providers to pick from, a provider already given for an
 * earlier input marked as such: asked for the backup, the responder sees which
 * one they just said is failing.
 */
function providerChoices(providers: string[], scope: Scope): { value: string; name: string }[] {
  const earlier = Object.entries((scope.inputs ?? {}) as Record<string, unknown>);
  return providers.map((p) => {
    const given = earlier.filter(([, v]) => v === p).map(([k]) => k);
    return { value: p, name: given.length ? `${p} (your answer for ${given.join(', ')})` : p };
  });
}

/** The configured provider names in a template scope (its config). */
export function providerNames(scope: Scope): string[] {
  const providers = (scope.config as { providers?: Record<string, unknown> } | undefined)?.providers;
  return providers ? Object.keys(providers) : [];
}

/**
 * Values arrive as strings from --var and prompts; give them the input's type
 * and check it (choices, durations, configured providers) before anything runs.
 */
export function coerce(name: string, spec: PlaybookInput, value: unknown, providers: string[] = []): unknown {
  let v = value;
  const type = inputType(spec);
  if (type === 'number' && typeof v === 'string') {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n))
      throw new InvalidInputError(`input ${name}: "${v}" is not a number`, `pass --var ${name}=<number>`);
    v = n;
  } else if (type === 'boolean' && typeof v !== 'boolean') {
    v = toBoolean(v, name);
  } else if (type === 'duration' && !isDuration(String(v))) {
    throw new InvalidInputError(`input ${name}: "${String(v)}" is not a duration`, `${DURATION_HINT} (e.g. --var ${name}=30m)`);
  } else if (type === 'url' && String(v) !== '' && !isWebUrl(String(v))) {
    throw new InvalidInputError(
      `input ${name}: "${String(v)}" is not a URL`,
      `write the whole address with http:// or https:// (e.g. --var ${name}=https://example.com/path)`,
    );
  } else if (type === 'provider' && providers.length && !providers.includes(String(v))) {
    throw new InvalidInputError(
      `input ${name}: "${String(v)}" is not a configured provider`,
      `configured providers: ${providers.join(', ')} (e.g. --var ${name}=${providers[0]})`,
    );
  }
  if (spec.choices?.length) {
    const values = spec.choices.map(choiceValue);
    if (!values.includes(String(v))) {
      throw new InvalidInputError(
        `input ${name}: "${String(v)}" is not one of ${values.join(', ')}`,
        `pass --var ${name}=<${values.join('|')}>`,
      );
    }
  }
  return v;
}

/** An http(s) URL with a host and no spaces: what a step can call. */
export function isWebUrl(text: string): boolean {
  if (/\s/.test(text)) return false;
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Every input of a playbook answered without a person (to fail before an incident is opened). */
export async function answerAllUnattended(
  playbook: Playbook,
  answers: Answers,
  prompter: Prompter,
  scope: Scope,
): Promise<AnsweredInput[]> {
  const out: AnsweredInput[] = [];
  const inputs: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(playbook.inputs ?? {})) {
    const a = await answerInput(name, spec, answers, prompter, { ...scope, inputs });
    inputs[name] = a.value;
    out.push(a);
  }
  return out;
}

/** A --var or answers-file name the playbook does not have is a typo: exit 2 before anything runs. */
export function checkAnswerNames(playbook: Playbook, answers: Answers): void {
  const known = [
    ...Object.keys(playbook.inputs ?? {}),
    ...playbook.steps.filter((s) => s.type === 'input' || s.type === 'choose').map((s) => s.id),
  ];
  const unknown = Object.keys(answers.values).filter((k) => !known.includes(k));
  if (unknown.length === 0) return;
  const where = unknown.map((k) => `${k} (${answers.from[k] === 'answers' ? 'answers file' : '--var'})`).join(', ');
  throw new InvalidInputError(
    `playbook ${playbook.id} has no input or input/choose step named ${where}`,
    known.length ? `it takes: ${known.join(', ')}` : `playbook ${playbook.id} takes no answers`,
  );
}

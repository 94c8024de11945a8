/**
 * Playbook inputs: from --var / the answers file, else asked (with a person),
 * else the default (which may be a template over `config`), else exit 2 naming
 * the input and `--var name=value`.
 */
import { InvalidInputError } from '../errors.js';
import { choiceLabel, choiceValue } from '../playbook/enums.js';
import type { Playbook, PlaybookInput } from '../playbook/schema.js';
import { renderString, type Scope } from '../template/engine.js';
import { toBoolean, type Answers } from '../ui/answers.js';
import type { Prompter } from '../ui/prompter.js';

export interface AnsweredInput {
  name: string;
  value: unknown;
  from: 'prompt' | 'var' | 'answers' | 'default';
}

/** Answer one input. `scope` is for rendering the default (config, earlier inputs). */
export async function answerInput(name: string, spec: PlaybookInput, answers: Answers, prompter: Prompter, scope: Scope): Promise<AnsweredInput> {
  const given = answers.values[name];
  if (given !== undefined) return { name, value: coerce(name, spec, given), from: answers.from[name] ?? 'var' };
  const def = spec.default === undefined ? undefined : typeof spec.default === 'string' ? await renderString(spec.default, scope, `input ${name}, default`) : spec.default;
  const required = spec.required ?? def === undefined;
  if (prompter.canPrompt) {
    const message = spec.description ? `${spec.prompt} (${spec.description})` : spec.prompt;
    const raw = spec.choices?.length
      ? await prompter.select(
          message,
          spec.choices.map((c) => ({ value: choiceValue(c), name: choiceLabel(c) })),
          def === undefined ? undefined : String(def),
          { name },
        )
      : await prompter.input(message, def === undefined ? undefined : String(def), { name });
    return { name, value: coerce(name, spec, raw), from: 'prompt' };
  }
  if (def !== undefined) return { name, value: coerce(name, spec, def), from: 'default' };
  if (!required) return { name, value: null, from: 'default' };
  const example = spec.choices?.length ? `<${spec.choices.map(choiceValue).join('|')}>` : '<value>';
  throw new InvalidInputError(`missing required input "${name}" (${spec.prompt}) and no person to ask`, `pass --var ${name}=${example} (or put ${name}: … in the --answers file)`);
}

/** Values arrive as strings from --var and prompts; give them the type of the default, and check choices. */
export function coerce(name: string, spec: PlaybookInput, value: unknown): unknown {
  let v = value;
  if (typeof spec.default === 'number' && typeof v === 'string') {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidInputError(`input ${name}: "${v}" is not a number`, `pass --var ${name}=<number>`);
    v = n;
  } else if (typeof spec.default === 'boolean' && typeof v !== 'boolean') {
    v = toBoolean(v, name);
  }
  if (spec.choices?.length) {
    const values = spec.choices.map(choiceValue);
    if (!values.includes(String(v))) {
      throw new InvalidInputError(`input ${name}: "${String(v)}" is not one of ${values.join(', ')}`, `pass --var ${name}=<${values.join('|')}>`);
    }
  }
  return v;
}

/** Every input of a playbook answered without a person (to fail before an incident is opened). */
export async function answerAllUnattended(playbook: Playbook, answers: Answers, prompter: Prompter, scope: Scope): Promise<AnsweredInput[]> {
  const out: AnsweredInput[] = [];
  const inputs: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(playbook.inputs ?? {})) {
    const a = await answerInput(name, spec, answers, prompter, { ...scope, inputs });
    inputs[name] = a.value;
    out.push(a);
  }
  return out;
}

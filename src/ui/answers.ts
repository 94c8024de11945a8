/**
 * Answers given ahead of time: `--var name=value` and the `--answers` file.
 * Both answer playbook inputs and input/choose steps (by step id), with a
 * person or without one.
 */
import { InvalidInputError } from '../errors.js';
import type { AskOptions, Prompter, SelectChoice } from './prompter.js';

export interface Answers {
  values: Record<string, unknown>;
  from: Record<string, 'var' | 'answers' | 'trigger'>;
}

export function emptyAnswers(): Answers {
  return { values: {}, from: {} };
}

/** `--var` values (win over the answers file). `name=value`; the value may contain `=`. */
export function parseVars(vars: string[] | undefined, into: Answers = emptyAnswers()): Answers {
  for (const v of vars ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) {
      throw new InvalidInputError(`--var "${v}" is not name=value`, 'write it as --var name=value, e.g. --var provider=stripe');
    }
    const name = v.slice(0, eq).trim();
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      throw new InvalidInputError(`--var "${v}": "${name}" is not an input or step name`, 'names are letters, digits, _ and -');
    into.values[name] = v.slice(eq + 1);
    into.from[name] = 'var';
  }
  return into;
}

/** A prompter that answers from given answers first (by opts.name), then asks the one it wraps. */
export function withAnswers(inner: Prompter, answers: Answers): Prompter {
  const given = (opts?: AskOptions): unknown => (opts?.name !== undefined ? answers.values[opts.name] : undefined);
  return {
    get canPrompt() {
      return inner.canPrompt;
    },
    async select<T extends string>(message: string, choices: SelectChoice<T>[], defaultValue?: T, opts?: AskOptions): Promise<T> {
      const v = given(opts);
      if (v === undefined) return inner.select(message, choices, defaultValue, opts);
      const hit = choices.find((c) => c.value === String(v));
      if (!hit) {
        throw new InvalidInputError(
          `"${String(v)}" is not one of the choices for ${opts!.name}: ${choices.map((c) => c.value).join(', ')}`,
          `pass --var ${opts!.name}=<${choices.map((c) => c.value).join('|')}>`,
        );
      }
      return hit.value;
    },
    async confirm(message, defaultValue, opts) {
      const v = given(opts);
      if (v === undefined) return inner.confirm(message, defaultValue, opts);
      return toBoolean(v, opts!.name!);
    },
    async input(message, defaultValue, opts) {
      const v = given(opts);
      if (v === undefined) return inner.input(message, defaultValue, opts);
      return String(v);
    },
    async checkbox(message, choices, opts) {
      const v = given(opts);
      if (v === undefined) return inner.checkbox(message, choices, opts);
      const list = Array.isArray(v)
        ? v.map(String)
        : String(v)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
      return list;
    },
    notice(text) {
      inner.notice(text);
    },
  };
}

export function toBoolean(v: unknown, name: string): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['true', 'yes', 'y', '1'].includes(s)) return true;
  if (['false', 'no', 'n', '0'].includes(s)) return false;
  throw new InvalidInputError(`"${String(v)}" is not yes/no for ${name}`, `pass --var ${name}=true or --var ${name}=false`);
}

/**
 * Answers given ahead of time: `--var name=value` and the `--answers` file.
 * Both answer playbook inputs and input/choose steps (by step id), with a
 * person or without one.
 */
import { SourceError, InvalidInputError } from '../errors.js';
import { readYamlSource } from '../source/yaml-file.js';
import type { AskOptions, Prompter, SelectChoice } from './prompter.js';

export interface Answers {
  values: Record<string, unknown>;
  from: Record<string, 'var' | 'answers'>;
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
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new InvalidInputError(`--var "${v}": "${name}" is not an input or step name`, 'names are letters, digits, _ and -');
    into.values[name] = v.slice(eq + 1);
    into.from[name] = 'var';
  }
  return into;
}

/** The answers file: a YAML mapping of name → value. Anything else is exit 2 with file:line. */
export function readAnswersFile(file: string, into: Answers = emptyAnswers()): Answers {
  const src = readYamlSource(file);
  if (src.problems.length) throw new SourceError(src.problems, 'the answers file is YAML: name: value, one per line');
  const data = src.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    const pos = src.doc.contents?.range ? src.lineCounter.linePos(src.doc.contents.range[0]) : { line: 1, col: 1 };
    throw new SourceError(
      [{ file, line: pos.line, col: pos.col, message: `the answers file must be a mapping of name: value, not ${Array.isArray(data) ? 'a list' : typeof data === 'object' ? 'empty' : `a ${typeof data}`}` }],
      'write it as name: value, one per line (e.g. provider: stripe)',
    );
  }
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (k in into.values) continue; // --var wins
    into.values[k] = v;
    into.from[k] = 'answers';
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
      const list = Array.isArray(v) ? v.map(String) : String(v).split(',').map((s) => s.trim()).filter(Boolean);
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

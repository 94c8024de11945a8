/**
 * How schema problems in a playbook are named: `step "notify": template: …`
 * rather than `steps.4.template`, with the nearest known key suggested for a
 * misspelt one. A step whose `type:` is misspelt (`tpye: manual`) is named
 * for the misspelt key, and checked as that type for its other problems.
 */
import type { SourceProblem } from '../errors.js';
import { problemAt, type PathKey, type YamlSource } from '../source/yaml-file.js';
import { dottedPath, knownKeysOf, nearest, valueAt, zodProblems, type ZodProblemOptions } from '../source/zod-problems.js';
import { Playbook } from './schema.js';

/** Every schema problem of a playbook's data (none: it parses). */
export function playbookSchemaProblems(src: YamlSource): SourceProblem[] {
  const parsed = Playbook.safeParse(src.data);
  if (parsed.success) return [];
  const { data, misspelt } = withTypesRespelt(src.data);
  if (misspelt.length === 0) return zodProblems(src, parsed.error, playbookProblemOptions(src.data));
  const options = playbookProblemOptions(data);
  const named = misspelt.map(({ index, key }) =>
    problemAt(src, ['steps', index, key], `${options.where!(['steps', index])}: unknown key "${key}" (did you mean "type"?)`, 'key'),
  );
  const again = Playbook.safeParse(data);
  const rest = again.success ? [] : zodProblems(src, again.error, options);
  return [...named, ...rest].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The data with each step's misspelt type key (a near miss of "type", when the step has none) read as `type`. */
function withTypesRespelt(data: unknown): { data: unknown; misspelt: { index: number; key: string }[] } {
  const steps = valueAt(data, ['steps']);
  const misspelt: { index: number; key: string }[] = [];
  if (!Array.isArray(steps)) return { data, misspelt };
  const respelt = steps.map((step: unknown, index) => {
    if (!step || typeof step !== 'object' || Array.isArray(step) || 'type' in step) return step;
    const entries = Object.entries(step as Record<string, unknown>);
    const key = entries.find(([k, v]) => nearest(k, ['type']) === 'type' && typeof v === 'string')?.[0];
    if (key === undefined) return step;
    misspelt.push({ index, key });
    return Object.fromEntries(entries.map(([k, v]) => (k === key ? ['type', v] : [k, v])));
  });
  return { data: { ...(data as Record<string, unknown>), steps: respelt }, misspelt };
}

export function playbookProblemOptions(data: unknown): ZodProblemOptions {
  return {
    where(path) {
      if (path[0] === 'steps' && typeof path[1] === 'number') {
        const id = valueAt(data, ['steps', path[1], 'id']);
        const label = typeof id === 'string' ? `step "${id}"` : `step ${path[1] + 1}`;
        const rest = path.slice(2);
        return rest.length ? `${label}: ${dottedPath(rest)}` : label;
      }
      if (path[0] === 'inputs' && typeof path[1] === 'string') {
        const rest = path.slice(2);
        return `input "${path[1]}"${rest.length ? `: ${dottedPath(rest)}` : ''}`;
      }
      return dottedPath(path);
    },
    knownKeys(path) {
      return knownKeys(path, data);
    },
  };
}

function knownKeys(path: readonly PathKey[], data: unknown): readonly string[] | undefined {
  return knownKeysOf(Playbook, path, data);
}

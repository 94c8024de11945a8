/**
 * How schema problems in a playbook are named: `step "notify": template: …`
 * rather than `steps.4.template`, with the nearest known key suggested for a
 * misspelt one.
 */
import type { PathKey } from '../source/yaml-file.js';
import { dottedPath, knownKeysOf, valueAt, type ZodProblemOptions } from '../source/zod-problems.js';
import { Playbook } from './schema.js';

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

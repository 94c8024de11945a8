/**
 * How schema problems in a playbook are named: `step "notify": template: …`
 * rather than `steps.4.template`, with the nearest known key suggested for a
 * misspelt one.
 */
import type { PathKey } from '../source/yaml-file.js';
import { dottedPath, valueAt, type ZodProblemOptions } from '../source/zod-problems.js';
import { DrillSpec, Playbook, PlaybookInput, Step, Trigger } from './schema.js';

type Shape = { shape: Record<string, unknown> };
const keysOf = (s: Shape): string[] => Object.keys(s.shape);

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
  if (path.length === 0) return keysOf(Playbook);
  if (path[0] === 'steps' && typeof path[1] === 'number' && path.length === 2) {
    const type = valueAt(data, ['steps', path[1], 'type']);
    const option = Step.options.find((o) => o.shape.type.value === type);
    return option ? keysOf(option) : undefined;
  }
  if (path[0] === 'inputs' && path.length === 2) return keysOf(PlaybookInput);
  if (path[0] === 'triggers' && path.length === 2) return keysOf(Trigger);
  if (path[0] === 'drill' && path.length === 1) return keysOf(DrillSpec);
  if (path[0] === 'drill' && path[1] === 'expect' && path.length === 2) return keysOf(DrillSpec.shape.expect);
  return undefined;
}

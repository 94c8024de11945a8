/** Turn zod validation issues into file:line:col problems. */
import type { z } from 'zod';
import type { SourceProblem } from '../errors.js';
import { problemAt, type PathKey, type YamlSource } from './yaml-file.js';

export function zodProblems(src: YamlSource, error: z.ZodError): SourceProblem[] {
  const out: SourceProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((k): k is PathKey => typeof k === 'string' || typeof k === 'number');
    const where = path.length ? path.join('.') : 'top level';
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push(problemAt(src, [...path, key], `${where === 'top level' ? '' : where + ': '}unknown key "${key}"`, 'key'));
      }
      continue;
    }
    out.push(problemAt(src, path, `${where}: ${issue.message}`));
  }
  return out;
}

/**
 * Turn zod validation issues into file:line:col problems with messages a
 * person can act on: "missing required key", "unknown key (did you mean …)",
 * "unknown step type", the offending value for enums.
 */
import type { z } from 'zod';
import type { SourceProblem } from '../errors.js';
import { problemAt, type PathKey, type YamlSource } from './yaml-file.js';

export interface ZodProblemOptions {
  /** How a path is named in messages (default: dotted, "top level" for the root). */
  where?: (path: readonly PathKey[]) => string;
  /** The keys allowed at a path, to suggest the nearest one for an unknown key. */
  knownKeys?: (path: readonly PathKey[]) => readonly string[] | undefined;
}

export function dottedPath(path: readonly PathKey[]): string {
  return path.length ? path.join('.') : 'top level';
}

export function zodProblems(src: YamlSource, error: z.ZodError, opts: ZodProblemOptions = {}): SourceProblem[] {
  const where = opts.where ?? dottedPath;
  const out: SourceProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((k): k is PathKey => typeof k === 'string' || typeof k === 'number');
    if (issue.code === 'unrecognized_keys') {
      const known = opts.knownKeys?.(path);
      for (const key of issue.keys) {
        const near = known ? nearest(key, known) : undefined;
        const suggestion = near ? ` (did you mean "${near}"?)` : '';
        out.push(problemAt(src, [...path, key], `${prefix(where, path)}unknown key "${key}"${suggestion}`, 'key'));
      }
      continue;
    }
    const last = path[path.length - 1];
    const parent = path.slice(0, -1);
    const value = valueAt(src.data, path);
    let message: string;
    if (issue.code === 'invalid_type' && value === undefined && typeof last === 'string') {
      out.push(problemAt(src, parent, `${prefix(where, parent)}missing required key "${last}"`));
      continue;
    } else if (issue.code === 'invalid_union' && 'discriminator' in issue && Array.isArray((issue as { options?: unknown }).options)) {
      const options = (issue as unknown as { options: unknown[]; discriminator: string }).options.map(String).join(', ');
      const disc = (issue as unknown as { discriminator: string }).discriminator;
      if (value === undefined) {
        const at = last === disc ? parent : path;
        out.push(problemAt(src, at, `${prefix(where, at)}missing required key "${disc}" (one of: ${options})`));
        continue;
      }
      message = `unknown ${disc} ${JSON.stringify(value)} (one of: ${options})`;
    } else if (issue.code === 'invalid_value' && Array.isArray((issue as { values?: unknown }).values)) {
      const values = (issue as unknown as { values: unknown[] }).values.map(String).join(', ');
      message = `${JSON.stringify(value)} is not one of: ${values}`;
    } else {
      message = issue.message.replace(/^Invalid input: /, '');
    }
    out.push(problemAt(src, path, `${prefix(where, path)}${message}`));
  }
  return out;
}

function prefix(where: (path: readonly PathKey[]) => string, path: readonly PathKey[]): string {
  return path.length ? `${where(path)}: ` : '';
}

export function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PathKey, unknown>)[k];
  }
  return v;
}

/** The known key closest to a misspelt one, when it is close enough to be a likely typo. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

type AnyDef = {
  type: string;
  shape?: Record<string, unknown>;
  valueType?: unknown;
  options?: unknown[];
  innerType?: unknown;
  element?: unknown;
  in?: unknown;
  discriminator?: string;
};
const defOf = (s: unknown): AnyDef | undefined => (s as { _zod?: { def?: AnyDef } })?._zod?.def;

/**
 * The keys an object schema allows at `path` (following records, arrays, optional/default
 * wrappers and unions, choosing the union member whose keys or discriminator fit the data).
 */
export function knownKeysOf(schema: unknown, path: readonly PathKey[], data: unknown): string[] | undefined {
  let s: unknown = schema;
  let value: unknown = data;
  const steps = [...path];
  for (;;) {
    const def = defOf(s);
    if (!def) return undefined;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') {
      s = def.innerType;
      continue;
    }
    if (def.type === 'pipe') {
      s = def.in;
      continue;
    }
    if (def.type === 'union') {
      const objects = (def.options ?? []).filter((o) => defOf(o)?.type === 'object');
      const disc = def.discriminator;
      const v = value as Record<string, unknown> | undefined;
      const pick =
        disc && v
          ? objects.find(
              (o) =>
                Object.hasOwn(defOf(o)!.shape!, disc) &&
                defOf(defOf(o)!.shape![disc])?.type === 'literal' &&
                JSON.stringify((defOf(defOf(o)!.shape![disc]) as unknown as { values: unknown[] }).values?.[0]) === JSON.stringify(v[disc]),
            )
          : undefined;
      if (!pick) return undefined;
      s = pick;
      continue;
    }
    if (steps.length === 0) return def.type === 'object' ? Object.keys(def.shape ?? {}) : undefined;
    const key = steps.shift()!;
    value = value !== null && typeof value === 'object' ? (value as Record<PathKey, unknown>)[key] : undefined;
    if (def.type === 'object') s = def.shape?.[String(key)];
    else if (def.type === 'record') s = def.valueType;
    else if (def.type === 'array') s = def.element;
    else return undefined;
  }
}

/**
 * Reading YAML files (config, playbooks, answers) with source positions, so that
 * every problem can be reported as file:line:col. Guards against binary files,
 * huge files and alias bombs before parsing.
 */
import { readFileSync, statSync } from 'node:fs';
import { isMap, isSeq, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { type SourceProblem } from '../errors.js';

/** Larger files are refused: no real playbook or config comes near this. */
export const MAX_YAML_BYTES = 1024 * 1024;

export type PathKey = string | number;

export interface YamlSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The plain JS value (undefined when the file had fatal problems). */
  data: unknown;
  /** Syntax problems (and size/binary refusals). Empty when the YAML parsed. */
  problems: SourceProblem[];
}

export function readYamlSource(file: string): YamlSource {
  const lineCounter = new LineCounter();
  const fail = (message: string): YamlSource => ({
    file,
    text: '',
    doc: parseDocument('', { lineCounter }),
    lineCounter,
    data: undefined,
    problems: [{ file, line: 1, col: 1, message }],
  });
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? 'error'})`);
  }
  if (size > MAX_YAML_BYTES) {
    return fail(`file is ${(size / 1024 / 1024).toFixed(1)} MB; YAML files are limited to 1 MB`);
  }
  const buf = readFileSync(file);
  if (buf.includes(0)) return fail('not a text file (contains NUL bytes); expected YAML');
  return parseYamlText(file, buf.toString('utf8'));
}

export function parseYamlText(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: SourceProblem[] = [];
  for (const err of doc.errors) {
    const pos = lineCounter.linePos(err.pos[0]);
    problems.push({ file, line: pos.line, col: pos.col, message: firstLine(err.message) });
  }
  let data: unknown;
  if (problems.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      // e.g. "Excessive alias count indicates a resource exhaustion attack"
      problems.push({ file, line: 1, col: 1, message: firstLine((e as Error).message) });
    }
  }
  if (problems.length === 0 && text.trim() === '') {
    problems.push({ file, line: 1, col: 1, message: 'file is empty' });
  }
  return { file, text, doc, lineCounter, data, problems };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/**
 * Where a path (as zod reports it) lives in the file. Walks down as far as the
 * path exists; an unknown key points at its key, a missing key at its parent.
 */
export function locate(src: YamlSource, path: readonly PathKey[], at: 'key' | 'value' = 'value'): { line: number; col: number } {
  let node: unknown = src.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      const keyNode = pair.key as Node | null;
      const valueNode = pair.value as Node | null;
      if (at === 'key' || !valueNode?.range) {
        offset = keyNode?.range?.[0] ?? offset;
      } else {
        offset = valueNode.range[0];
      }
      // descend into the value, but remember the key's position for a final key lookup
      if (key === path[path.length - 1] && at === 'key') {
        offset = keyNode?.range?.[0] ?? offset;
        break;
      }
      node = valueNode;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  const pos = src.lineCounter.linePos(offset);
  return { line: pos.line, col: pos.col };
}

export function problemAt(src: YamlSource, path: readonly PathKey[], message: string, at: 'key' | 'value' = 'value'): SourceProblem {
  return { file: src.file, ...locate(src, path, at), message };
}

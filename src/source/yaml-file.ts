/**
 * Reading YAML files (config, playbooks, answers) with source positions, so that
 * every problem can be reported as file:line:col. Guards against binary files,
 * huge files and alias bombs before parsing.
 */
import { readFileSync, statSync } from 'node:fs';
import { isMap, isSeq, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { SourceProblem } from '../errors.js';

/**
 * Larger files are refused: no real playbook or config comes near this, and a
 * pathological file of this size still parses in well under a second.
 */
export const MAX_YAML_BYTES = 256 * 1024;

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
    const st = statSync(file);
    // a directory's size is its listing's, not a file's: say what it is
    if (st.isDirectory()) return fail('is a directory, not a YAML file; name a file in it');
    size = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? 'error'})`);
  }
  if (size > MAX_YAML_BYTES) {
    const shown = size >= 1024 * 1024 ? `${(size / 1024 / 1024).toFixed(1)} MB` : `${Math.round(size / 1024)} KB`;
    return fail(`file is ${shown}; YAML files are limited to ${MAX_YAML_BYTES / 1024} KB`);
  }
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'EISDIR' ? 'is a directory, not a YAML file' : `cannot read file (${code ?? 'error'})`);
  }
  if (looksBinary(buf)) return fail('not a text file (binary content); expected YAML');
  return parseYamlText(file, buf.toString('utf8'));
}

/** NUL bytes, or many control characters in the first 8 KB. */
function looksBinary(buf: Buffer): boolean {
  if (buf.includes(0)) return true;
  const n = Math.min(buf.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    if (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12) control++;
  }
  return n > 0 && control / n > 0.1;
}

/** At most this many syntax problems are listed per file; the rest are counted. */
export const MAX_SYNTAX_PROBLEMS = 10;

export function parseYamlText(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    // uniqueKeys is checked below in linear time (the parser's own check is quadratic)
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
  } catch (e) {
    // e.g. a stack overflow on absurdly deep nesting
    const empty = parseDocument('', { lineCounter: new LineCounter() });
    return {
      file,
      text,
      doc: empty,
      lineCounter,
      data: undefined,
      problems: [{ file, line: 1, col: 1, message: `cannot parse YAML: ${firstLine(messageOf(e))}` }],
    };
  }
  const problems: SourceProblem[] = [];
  for (const err of doc.errors.slice(0, MAX_SYNTAX_PROBLEMS)) {
    const pos = lineCounter.linePos(err.pos[0]);
    problems.push({ file, line: pos.line, col: pos.col, message: firstLine(err.message) });
  }
  if (problems.length === 0) problems.push(...duplicateKeys(file, doc, lineCounter));
  if (doc.errors.length > MAX_SYNTAX_PROBLEMS) {
    const last = problems[problems.length - 1]!;
    problems.push({ ...last, message: `… and ${doc.errors.length - MAX_SYNTAX_PROBLEMS} more YAML syntax errors` });
  }
  let data: unknown;
  if (problems.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      const msg = messageOf(e);
      const where = firstAlias(doc, lineCounter);
      problems.push({
        file,
        ...where,
        message: /alias/i.test(msg)
          ? 'too many alias expansions (a YAML "alias bomb"?); aliases are limited'
          : `cannot read YAML: ${firstLine(msg)}`,
      });
    }
  }
  if (problems.length === 0 && (data === null || data === undefined)) {
    problems.push({ file, line: 1, col: 1, message: text.trim() === '' ? 'file is empty' : 'file has no YAML content (only comments?)' });
  }
  return { file, text, doc, lineCounter, data, problems };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Keys written twice in one mapping (the later one would silently win). */
function duplicateKeys(file: string, doc: Document.Parsed, lineCounter: LineCounter): SourceProblem[] {
  const out: SourceProblem[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Map<unknown, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const k = pair.key.value;
        const offset = pair.key.range?.[0] ?? 0;
        const first = seen.get(k);
        if (first === undefined) seen.set(k, offset);
        else {
          const pos = lineCounter.linePos(offset);
          out.push({
            file,
            line: pos.line,
            col: pos.col,
            message: `duplicate key "${String(k)}" (first written on line ${lineCounter.linePos(first).line})`,
          });
        }
      }
    },
  });
  return out.slice(0, MAX_SYNTAX_PROBLEMS);
}

/** Position of the first alias (*name) in the document, for the alias-bomb message. */
function firstAlias(doc: Document.Parsed, lineCounter: LineCounter): { line: number; col: number } {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  const pos = lineCounter.linePos(offset ?? 0);
  return { line: pos.line, col: pos.col };
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

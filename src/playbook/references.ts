/**
 * Checking what a `{{ }}` template or a `when:`/`until:` condition reads:
 * liquid syntax, and every variable against the scope the engine builds
 * (inputs, steps before this one, incident, config, now). Problems point at
 * the reference itself inside the YAML scalar when it can be found.
 */
import { isScalar, type Node } from 'yaml';
import type { SourceProblem } from '../errors.js';
import { cleanLiquidMessage, hasTemplate, liquid } from '../template/engine.js';
import { locate, type PathKey, type YamlSource } from '../source/yaml-file.js';
import { nearestNames } from '../nearest-names.js';

export const TEMPLATE_ROOTS = ['inputs', 'steps', 'incident', 'config', 'now'] as const;
/** What `steps.<id>` holds (see docs/playbooks.md). */
export const STEP_SCOPE_KEYS = ['outcome', 'value', 'result', 'error'] as const;
export const INCIDENT_KEYS = [
  'id',
  'title',
  'severity',
  'status',
  'playbook',
  'started_at',
  'elapsed',
  'dry_run',
  'roles',
  'team',
] as const;

/** Where a template is evaluated, which decides what it may read. */
export interface ReferenceScope {
  /** Declared playbook inputs. */
  inputs: ReadonlySet<string>;
  /** Step id → its position in the playbook (first occurrence). */
  steps: ReadonlyMap<string, number>;
  /**
   * The position of the step the text belongs to: it may read steps before it.
   * 'none': no step results exist yet (input defaults). 'all': any step (playbook-level reminders).
   */
  stepLimit: number | 'none' | 'all';
  /**
   * Step id → its type and the fields its result has (timeline/results.ts RESULT_FIELDS);
   * steps.<id>.result.<field> is checked against them when given.
   */
  stepResults?: ReadonlyMap<string, { type: string; fields: readonly string[] }>;
  /** Names the field in messages, e.g. `step "notify": vars.eta`. */
  where: string;
  /** The loaded config when a config file exists: config.* paths are checked against it. */
  config?: unknown;
}

type Segment = string | number | Segment[];

/** Check one template or condition at `path` in the file; returns its problems. */
export function checkReferences(
  src: YamlSource,
  path: readonly PathKey[],
  text: string,
  kind: 'template' | 'condition',
  scope: ReferenceScope,
): SourceProblem[] {
  if (kind === 'template' && !hasTemplate(text)) return [];
  const wrapped = kind === 'condition' ? `{% if ${text} %}{% endif %}` : text;
  let segments: Segment[][];
  try {
    liquid().parse(wrapped);
    segments = liquid().globalVariableSegmentsSync(wrapped) as Segment[][];
  } catch (e) {
    const message = cleanLiquidMessage(e).replace(/,? line:\d+, col:\d+$/, '');
    const what = kind === 'condition' ? 'condition' : 'template';
    return [{ file: src.file, ...locate(src, path), message: `${scope.where}: ${what} syntax error: ${message}` }];
  }
  const problems: SourceProblem[] = [];
  const seen = new Set<string>();
  for (const segs of flatten(segments)) {
    const message = checkPath(segs, scope);
    if (!message || seen.has(message)) continue;
    seen.add(message);
    problems.push({ file: src.file, ...positionOf(src, path, segs), message: `${scope.where}: ${message}` });
  }
  return problems;
}

/** Nested dynamic segments (steps[inputs.x]) are variables too. */
function flatten(list: Segment[][]): Segment[][] {
  const out: Segment[][] = [];
  for (const segs of list) {
    out.push(segs);
    for (const s of segs) if (Array.isArray(s)) out.push(...flatten([s]));
  }
  return out;
}

function checkPath(segs: Segment[], scope: ReferenceScope): string | undefined {
  const [root, first, second, third] = segs;
  if (typeof root !== 'string') return undefined;
  const shown = display(segs);
  switch (root) {
    case 'inputs':
      if (typeof first !== 'string') return undefined;
      if (!scope.inputs.has(first)) {
        const declared = [...scope.inputs];
        return `unknown input "${first}" in ${shown} (${declared.length ? `declared: ${declared.join(', ')}` : 'the playbook declares no inputs'})`;
      }
      return undefined;
    case 'steps': {
      if (scope.stepLimit === 'none') return `${shown}: no step has run yet here (input defaults are filled in before the first step)`;
      if (typeof first !== 'string') return undefined;
      const at = scope.steps.get(first);
      if (at === undefined) return `unknown step "${first}" in ${shown}`;
      if (typeof scope.stepLimit === 'number') {
        if (at === scope.stepLimit) return `${shown}: a step cannot read its own result`;
        if (at > scope.stepLimit)
          return `${shown}: step "${first}" only runs later (step ${at + 1}); a step can read only the steps before it`;
      }
      if (typeof second === 'string' && !(STEP_SCOPE_KEYS as readonly string[]).includes(second)) {
        return `${shown}: a step's scope has ${STEP_SCOPE_KEYS.join(', ')} (did you mean steps.${first}.result.${second}?)`;
      }
      if (second === 'result' && typeof third === 'string') return checkResultField(shown, first, third, scope);
      return undefined;
    }
    case 'incident':
      if (typeof first === 'string' && !(INCIDENT_KEYS as readonly string[]).includes(first)) {
        return `unknown incident field "${first}" in ${shown} (one of: ${INCIDENT_KEYS.join(', ')})`;
      }
      return undefined;
    case 'config':
      return scope.config === undefined ? undefined : checkConfigPath(segs, scope.config);
    case 'now':
      return undefined;
    case 'vars':
      return `${shown}: vars exist only inside message templates; pass values with the step's vars:`;
    default:
      return `unknown variable "${root}" (templates and conditions can read ${TEMPLATE_ROOTS.join(', ')})`;
  }
}

/** steps.<id>.result.<field>: the field must be one the step's type records. */
function checkResultField(shown: string, id: string, field: string, scope: ReferenceScope): string | undefined {
  const known = scope.stepResults?.get(id);
  if (!known || known.fields.includes(field)) return undefined;
  const near = nearestNames(field, [...known.fields], 1);
  const hint = near.length ? `did you mean ${near[0]}?` : `it has ${known.fields.join(', ')}`;
  return `${shown}: a ${known.type} step's result has no "${field}" (${hint})`;
}

/** config.* against the loaded config: the first key that does not exist is named. */
function checkConfigPath(segs: Segment[], config: unknown): string | undefined {
  let value: unknown = config;
  for (let i = 1; i < segs.length; i++) {
    const key = segs[i];
    if (typeof key !== 'string' && typeof key !== 'number') return undefined;
    if (value === null || typeof value !== 'object') return undefined;
    if (key === 'size' || key === 'first' || key === 'last') return undefined;
    const next = (value as Record<string | number, unknown>)[key];
    if (next === undefined) return `${display(segs)}: the config has no ${display(segs.slice(0, i + 1))}`;
    value = next;
  }
  return undefined;
}

function display(segs: Segment[]): string {
  let out = '';
  for (const s of segs) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (Array.isArray(s)) out += `[${display(s)}]`;
    else out += out ? `.${s}` : s;
  }
  return out;
}

/** The reference's own position inside the scalar when it can be found, else the scalar's. */
function positionOf(src: YamlSource, path: readonly PathKey[], segs: Segment[]): { line: number; col: number } {
  const node = src.doc.getIn(path as PathKey[], true) as Node | undefined;
  if (node && isScalar(node) && node.range) {
    const raw = src.text.slice(node.range[0], node.range[1]);
    const names = segs.filter((s): s is string => typeof s === 'string');
    for (let n = Math.min(names.length, 2); n >= 1; n--) {
      const needle = names.slice(0, n).join('.');
      const m = new RegExp(`(?<![\\w.-])${escapeRegExp(needle)}(?![\\w-])`).exec(raw);
      if (m) {
        const pos = src.lineCounter.linePos(node.range[0] + m.index);
        return { line: pos.line, col: pos.col };
      }
    }
  }
  return locate(src, path);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

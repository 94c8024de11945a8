/**
 * The one template and expression engine: liquidjs, for `{{ }}` values in
 * playbooks and templates and for `when:` / `until:` conditions. No eval, no
 * file access from templates; an unknown variable is an error, never a blank.
 */
import { createRequire } from 'node:module';
import type { Liquid } from 'liquidjs';
import { InvalidInputError } from '../errors.js';

let engine: Liquid | undefined;

/**
 * The engine, loaded on first use: a run whose strings hold no `{{`/`{%` (a
 * failover) never loads liquidjs. Loaded with require so the sync lint helpers
 * can use it too (liquidjs has no exports map: `import` loads the same CJS file).
 */
export function liquid(): Liquid {
  if (engine) return engine;
  const lib = createRequire(import.meta.url)('liquidjs') as typeof import('liquidjs');
  engine = new lib.Liquid({
    strictVariables: true,
    // a missing field inside `if`/`when:`/`until:` or before `| default:` is nil, not an
    // error (e.g. the result of a check that failed); unknown names are caught by
    // `playbook validate`, and a bare {{ missing }} still fails
    lenientIf: true,
    strictFilters: true,
    ownPropertyOnly: true,
    greedy: false,
    relativeReference: false,
    operators: nilSafeOrdering(lib.defaultOperators),
  });
  return engine;
}

/**
 * <, >, <= and >= with a missing value on either side are false. liquidjs
 * compares as JavaScript does, where null < 0.9 holds: a success rate with no
 * data (value null) would read as "below the threshold", and a playbook would
 * page a healthy processor and tell customers payments fail.
 */
function nilSafeOrdering(ops: typeof import('liquidjs').defaultOperators): typeof import('liquidjs').defaultOperators {
  const safe = { ...ops };
  for (const name of ['<', '>', '<=', '>=']) {
    const op = ops[name]!;
    safe[name] = function* (l: unknown, r: unknown, ctx: never) {
      if (l === null || l === undefined || r === null || r === undefined) return false;
      return yield op(l, r, ctx);
    } as (typeof ops)[string];
  }
  return safe;
}

export type Scope = Record<string, unknown>;

export function hasTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

/** Render one string. `where` names it for the error message (e.g. "step notify-slack, field body"). */
export async function renderString(text: string, scope: Scope, where: string): Promise<string> {
  if (!hasTemplate(text)) return text;
  try {
    return await liquid().parseAndRender(text, scope);
  } catch (e) {
    throw new InvalidInputError(`${where}: ${cleanLiquidMessage(e)}`);
  }
}

/** Render every string inside a value (objects and arrays are copied). */
export async function renderDeep<T>(value: T, scope: Scope, where: string): Promise<T> {
  if (typeof value === 'string') return (await renderString(value, scope, where)) as T;
  if (Array.isArray(value)) return (await Promise.all(value.map((v) => renderDeep(v, scope, where)))) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await renderDeep(v, scope, `${where}.${k}`);
    return out as T;
  }
  return value;
}

/** Evaluate a condition such as `inputs.mode == "failover" and steps.check.status != "operational"`. */
export async function evalCondition(expr: string, scope: Scope, where: string): Promise<boolean> {
  try {
    const tpl = liquid().parse(`{% if ${expr} %}true{% else %}false{% endif %}`);
    return (await liquid().render(tpl, scope)) === 'true';
  } catch (e) {
    throw new InvalidInputError(`${where}: cannot evaluate "${expr}": ${cleanLiquidMessage(e)}`);
  }
}

/** The variable paths a template or condition reads, e.g. [["inputs","provider"],["steps","check","status"]]. */
export function variablesOf(text: string, kind: 'template' | 'condition'): string[][] {
  const src = kind === 'condition' ? `{% if ${text} %}{% endif %}` : text;
  const paths = liquid().fullVariablesSync(src) as string[];
  return paths.map((p) => splitPath(p));
}

/** Syntax check: undefined when fine, else the message. */
export function syntaxError(text: string, kind: 'template' | 'condition'): string | undefined {
  try {
    liquid().parse(kind === 'condition' ? `{% if ${text} %}{% endif %}` : text);
    return undefined;
  } catch (e) {
    return cleanLiquidMessage(e);
  }
}

function splitPath(p: string): string[] {
  // "steps.check.result[\"status\"]" → ["steps","check","result","status"]
  return p
    .replace(/\[(?:"([^"]*)"|'([^']*)'|(\d+))\]/g, (_m, a, b, c) => `.${a ?? b ?? c}`)
    .split('.')
    .filter(Boolean);
}

export function cleanLiquidMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg
    .split('\n')[0]!
    .replace(/, file:.*$/, '')
    .trim();
}

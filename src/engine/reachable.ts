/**
 * Which steps can still run, judged before a run from what is already known:
 * the answers given, the config, and the outcomes of steps that are settled
 * (completed in an earlier run, or already known to be skipped). A step whose
 * `when:` is false whatever the unknown parts turn out to be is skipped at run
 * time too, so it reads no secret and its outcome is known ("skipped") for the
 * steps after it; every other step can run.
 *
 * A condition is split into its comparisons (joined by `and` / `or`); each
 * comparison that reads only known values is evaluated, and the condition is
 * then tried with every combination of the unknown ones (liquidjs decides how
 * `and` and `or` bind). A step whose condition hinges on an input still to be
 * asked is marked so: its secrets are checked once the answers are in.
 */
import type { Step } from '../playbook/schema.js';
import { evalCondition, variablesOf, type Scope } from '../template/engine.js';

export interface Runnable {
  step: Step;
  /** Whether it runs depends on an input a person has not answered yet. */
  hingesOnAnswers: boolean;
}

export interface Known {
  /** The scope with what is known: inputs answered, config, settled steps' outcomes. */
  scope: Scope;
  /** Steps whose outcome in `scope` is final. */
  settled: ReadonlySet<string>;
  /** Inputs a person will be asked (their value is unknown). */
  unanswered: ReadonlySet<string>;
}

const MAX_UNKNOWN = 8;

/** The steps of `steps` (in order) that can run. */
export async function stepsThatCanRun(steps: readonly Step[], known: Known): Promise<Runnable[]> {
  const settled = new Set(known.settled);
  const stepsScope = { ...((known.scope.steps as Record<string, unknown> | undefined) ?? {}) };
  const scope: Scope = { ...known.scope, steps: stepsScope };
  // steps whose running hinges on an answer: so does that of a step that reads their outcome
  const hinging = new Set<string>();
  const out: Runnable[] = [];
  for (const step of steps) {
    if (!step.when) {
      out.push({ step, hingesOnAnswers: false });
      continue;
    }
    const verdict = await judge(step.when, scope, settled, known.unanswered, hinging);
    if (verdict === 'never') {
      stepsScope[step.id] = { outcome: 'skipped', value: null, result: {} };
      settled.add(step.id);
      continue;
    }
    if (verdict === 'hinges') hinging.add(step.id);
    out.push({ step, hingesOnAnswers: verdict === 'hinges' });
  }
  return out;
}

type Verdict = 'never' | 'maybe' | 'hinges';

async function judge(
  expr: string,
  scope: Scope,
  settled: ReadonlySet<string>,
  unanswered: ReadonlySet<string>,
  hinging: ReadonlySet<string>,
): Promise<Verdict> {
  const parts = splitCondition(expr);
  let hinges = false;
  const unknowns: string[] = [];
  const rebuilt: string[] = [];
  for (const part of parts) {
    if (part === 'and' || part === 'or') {
      rebuilt.push(part);
      continue;
    }
    let paths: string[][];
    try {
      paths = variablesOf(part, 'condition');
    } catch {
      return 'maybe';
    }
    const unknown = paths.some((p) => {
      if (p[0] === 'inputs' && p[1] !== undefined && unanswered.has(p[1])) return (hinges = true);
      if (p[0] === 'steps' && p[1] !== undefined && hinging.has(p[1])) return (hinges = true);
      if (p[0] === 'steps') return p[1] === undefined || !settled.has(p[1]);
      return p[0] !== 'inputs' && p[0] !== 'config';
    });
    if (unknown) {
      rebuilt.push(`u${unknowns.length}`);
      unknowns.push(part);
      continue;
    }
    try {
      rebuilt.push(String(await evalCondition(part, scope, 'when')));
    } catch {
      return 'maybe';
    }
  }
  if (unknowns.length > MAX_UNKNOWN) return hinges ? 'hinges' : 'maybe';
  const condition = rebuilt.join(' ');
  for (let mask = 0; mask < 2 ** unknowns.length; mask++) {
    const values = Object.fromEntries(unknowns.map((_, i) => [`u${i}`, Boolean(mask & (1 << i))]));
    if (await evalCondition(condition, values, 'when')) return hinges ? 'hinges' : 'maybe';
  }
  return 'never';
}

/** `a == "x and y" and b or c` → ['a == "x and y"', 'and', 'b', 'or', 'c'] (quotes respected). */
export function splitCondition(expr: string): string[] {
  const masked = expr.replace(/"[^"]*"|'[^']*'/g, (q) => '_'.repeat(q.length));
  const out: string[] = [];
  const sep = /\s+(and|or)\s+/g;
  let from = 0;
  for (let m = sep.exec(masked); m; m = sep.exec(masked)) {
    out.push(expr.slice(from, m.index).trim(), m[1]!);
    from = m.index + m[0].length;
  }
  out.push(expr.slice(from).trim());
  return out;
}

/**
 * Everything about a playbook the schema cannot say: duplicate step ids,
 * templates and conditions that read unknown or later things, unknown
 * providers and channels (against the config, when there is one), message
 * template use, wait steps that could never end, and `owner:` roles (roles.ts). Works on the raw YAML
 * data so that it still reports alongside schema problems in the same run.
 */
import type { SourceProblem } from '../errors.js';
import { hasTemplate } from '../template/engine.js';
import { isDuration, parseDuration } from '../duration.js';
import { checkTemplateUse } from '../messages/check.js';
import { problemAt, type PathKey, type YamlSource } from '../source/yaml-file.js';
import { checkReferences, type ReferenceScope } from './references.js';
import { RESULT_FIELDS } from '../timeline/results.js';
import { lintOwners } from './roles.js';

export interface LintOptions {
  /** Declared provider names; undefined when there is no config file (not checked). */
  providers?: readonly string[];
  /** Declared channel names; undefined when there is no config file (not checked). */
  channels?: readonly string[];
  /** The loaded config (config.* references are checked against it); undefined without a config file. */
  config?: unknown;
  /** Where message templates live; message template use is checked when given. */
  templatesDir?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Fields that are not templates: names, conditions, JSON paths. */
const NOT_TEMPLATES = new Set(['id', 'type', 'when', 'until', 'template', 'recheck', 'capture']);
/** Step types a wait may re-run before each check: reads only. */
const RECHECKABLE = new Set(['check_status', 'query_metrics', 'http']);
const PROVIDER_FIELDS: Record<string, readonly string[]> = {
  check_status: ['provider', 'overlap_with'],
  query_metrics: ['provider'],
  switch_provider: ['to', 'from'],
  shift_traffic: ['to'],
  escalate: ['to'],
};
const DURATION_FIELDS = ['timeout', 'interval', 'duration', 'window', 'hold'] as const;

export function lintPlaybook(src: YamlSource, opts: LintOptions = {}): SourceProblem[] {
  const data = src.data;
  if (!isObj(data)) return [];
  const out: SourceProblem[] = [];
  const at = (path: PathKey[], message: string, where: 'key' | 'value' = 'value') => out.push(problemAt(src, path, message, where));

  const inputs = isObj(data.inputs) ? data.inputs : {};
  const inputNames = new Set(Object.keys(inputs));
  const steps = Array.isArray(data.steps) ? data.steps : [];
  const stepIndex = new Map<string, number>();
  const stepType = new Map<string, unknown>();

  // duplicate ids
  steps.forEach((s, i) => {
    if (!isObj(s) || typeof s.id !== 'string') return;
    const first = stepIndex.get(s.id);
    if (first !== undefined) {
      const line = problemAt(src, ['steps', first, 'id'], '').line;
      at(['steps', i, 'id'], `${stepLabel(s, i)}: duplicate step id "${s.id}" (first used on line ${line})`);
    } else {
      stepIndex.set(s.id, i);
      stepType.set(s.id, s.type);
    }
  });

  const stepResults = new Map<string, { type: string; fields: readonly string[] }>();
  for (const [id, i] of stepIndex) {
    const s = steps[i] as Obj;
    const fields =
      typeof s.type === 'string' && Object.hasOwn(RESULT_FIELDS, s.type) ? RESULT_FIELDS[s.type as keyof typeof RESULT_FIELDS] : undefined;
    if (!fields) continue; // an unknown type is the schema's problem
    const captures = s.type === 'http' && isObj(s.capture) ? Object.keys(s.capture) : [];
    stepResults.set(id, { type: String(s.type), fields: [...fields, ...captures] });
  }

  const scope = (where: string, stepLimit: ReferenceScope['stepLimit']): ReferenceScope => ({
    inputs: inputNames,
    steps: stepIndex,
    stepResults,
    stepLimit,
    where,
    config: opts.config,
  });
  const templates = (value: unknown, path: PathKey[], sc: ReferenceScope, skipTop = false) =>
    walkStrings(value, path, skipTop, (text, p) =>
      out.push(...checkReferences(src, p, text, 'template', { ...sc, where: `${sc.where}${fieldName(p, path.length)}` })),
    );

  // inputs: defaults and prompts may read config, now and other inputs; no step has run yet
  for (const [name, input] of Object.entries(inputs)) {
    if (!isObj(input)) continue;
    for (const key of ['default', 'prompt', 'description'] as const) {
      const v = input[key];
      if (typeof v === 'string')
        out.push(...checkReferences(src, ['inputs', name, key], v, 'template', scope(`input "${name}": ${key}`, 'none')));
    }
    checkDefaultInChoices(input, ['inputs', name], `input "${name}"`, at);
    checkAskLater(input, name, at);
  }

  // decline_codes only narrows decline_rate_above
  if (Array.isArray(data.triggers))
    data.triggers.forEach((t, i) => {
      if (isObj(t) && t.decline_codes !== undefined && t.decline_rate_above === undefined)
        at(
          ['triggers', i, 'decline_codes'],
          `triggers[${i}]: decline_codes counts toward decline_rate_above, which this trigger lacks`,
          'key',
        );
    });

  // triggers name providers too ("primary" and "any" are keywords)
  if (Array.isArray(data.triggers) && opts.providers) {
    data.triggers.forEach((t, i) => {
      const p = isObj(t) ? t.provider : undefined;
      if (typeof p === 'string' && !hasTemplate(p) && p !== 'primary' && p !== 'any' && !opts.providers!.includes(p)) {
        at(
          ['triggers', i, 'provider'],
          `triggers[${i}]: provider: unknown provider "${p}" (primary, any, or ${declared(opts.providers!, 'providers')})`,
        );
      }
    });
  }

  // playbook-level reminder
  if (isObj(data.remind_every)) templates(data.remind_every, ['remind_every'], scope('remind_every.', 'all'));

  steps.forEach((raw, i) => {
    if (!isObj(raw)) return;
    const label = stepLabel(raw, i);
    const base: PathKey[] = ['steps', i];
    const sc = scope(label, i);
    const type = raw.type;

    for (const key of ['when', 'until'] as const) {
      const cond = raw[key];
      if (typeof cond === 'string')
        out.push(...checkReferences(src, [...base, key], cond, 'condition', { ...sc, where: `${label}: ${key}` }));
    }
    templates(raw, base, { ...sc, where: `${label}: ` }, true);

    // providers and channels, when written literally
    for (const field of PROVIDER_FIELDS[String(type)] ?? []) {
      const v = raw[field];
      if (typeof v === 'string' && !hasTemplate(v) && opts.providers && !opts.providers.includes(v)) {
        at([...base, field], `${label}: ${field}: unknown provider "${v}" (${declared(opts.providers, 'providers')})`);
      }
    }
    // a share below 100 needs a routing adapter that can split (checked against the config, when there is one)
    const splitNeed = splitsAskedFor(raw, type);
    const noSplit = splitNeed ? adapterWithoutSplit(opts.config) : undefined;
    if (splitNeed && noSplit) at([...base, splitNeed.field], `${label}: ${splitNeed.field}: ${splitNeed.what}, but ${noSplit}`);
    if (type === 'notify' && Array.isArray(raw.channels) && opts.channels) {
      raw.channels.forEach((c, j) => {
        if (typeof c === 'string' && !hasTemplate(c) && !opts.channels!.includes(c)) {
          at([...base, 'channels', j], `${label}: channels: unknown channel "${c}" (${declared(opts.channels!, 'channels')})`);
        }
      });
    }

    // message templates
    if ((type === 'notify' || type === 'escalate') && typeof raw.template === 'string' && opts.templatesDir) {
      const supplied = isObj(raw.vars) ? Object.keys(raw.vars) : [];
      for (const message of checkTemplateUse(opts.templatesDir, raw.template, supplied)) {
        at([...base, 'template'], `${label}: template: ${message}`, 'key');
      }
    }

    // durations given through a template must end up as durations
    for (const field of DURATION_FIELDS) {
      const v = raw[field];
      if (typeof v === 'string' && hasTemplate(v)) checkTemplatedDuration(v, `${label}: ${field}`, data, at);
    }

    if (type === 'wait') lintWait(raw, base, label, i, stepIndex, stepType, at);
    if (type === 'choose' || type === 'input') checkDefaultInChoices(raw, base, label, at);
  });

  const answerable = new Set([
    ...inputNames,
    ...steps
      .filter((s) => isObj(s) && (s.type === 'input' || s.type === 'choose') && typeof s.id === 'string')
      .map((s) => (s as Obj).id as string),
  ]);
  lintDrill(data, answerable, at);
  out.push(...lintOwners(src));
  return out;
}

function lintWait(
  raw: Obj,
  base: PathKey[],
  label: string,
  index: number,
  stepIndex: ReadonlyMap<string, number>,
  stepType: ReadonlyMap<string, unknown>,
  at: (path: PathKey[], message: string, where?: 'key' | 'value') => void,
): void {
  const hasDuration = raw.duration !== undefined;
  const hasUntil = raw.until !== undefined;
  if (!hasDuration && !hasUntil) at(base, `${label}: a wait step needs duration (a fixed wait) or until (a condition)`);
  if (hasDuration && hasUntil) at([...base, 'duration'], `${label}: write either duration or until, not both`, 'key');
  if (!hasUntil) {
    for (const key of ['interval', 'recheck'] as const) {
      if (raw[key] !== undefined) at([...base, key], `${label}: ${key} applies only with until`, 'key');
    }
  } else {
    if (raw.timeout === undefined)
      at([...base, 'until'], `${label}: a wait with until needs a timeout (how long to wait before giving up)`, 'key');
    const interval = literalMs(raw.interval);
    const timeout = literalMs(raw.timeout);
    if (interval !== undefined && interval <= 0) at([...base, 'interval'], `${label}: interval must be longer than 0`);
    if (interval !== undefined && timeout !== undefined && interval > timeout) {
      at(
        [...base, 'interval'],
        `${label}: interval ${String(raw.interval)} is longer than timeout ${String(raw.timeout)}; until would be checked at most once`,
      );
    }
  }
  if (Array.isArray(raw.recheck)) {
    raw.recheck.forEach((id, j) => {
      if (typeof id !== 'string') return;
      const pos = stepIndex.get(id);
      const path = [...base, 'recheck', j];
      if (pos === undefined) at(path, `${label}: recheck: unknown step "${id}"`);
      else if (pos >= index) at(path, `${label}: recheck: step "${id}" must come before this wait step`);
      else if (!RECHECKABLE.has(String(stepType.get(id)))) {
        at(
          path,
          `${label}: recheck: step "${id}" is a ${String(stepType.get(id))} step; only check_status, query_metrics and http steps can be re-run`,
        );
      }
    });
  }
}

/** `{{ inputs.x }}` used as a duration: the input's default (and drill override) must be a duration. */
function checkTemplatedDuration(text: string, where: string, data: Obj, at: (path: PathKey[], message: string) => void): void {
  const m = /^\s*\{\{\s*inputs\.([a-z_][a-z0-9_]*)\s*\}\}\s*$/.exec(text);
  if (!m) return;
  const name = m[1]!;
  const input = isObj(data.inputs) ? data.inputs[name] : undefined;
  if (isObj(input) && typeof input.default === 'string' && !hasTemplate(input.default) && !isDuration(input.default)) {
    at(
      ['inputs', name, 'default'],
      `input "${name}": default ${JSON.stringify(input.default)} is not a duration, but ${where} uses it as one`,
    );
  }
  for (const { path, label, vars } of drillVarSets(data)) {
    const override = vars[name];
    if (typeof override === 'string' && !isDuration(override)) {
      at([...path, name], `${label}: vars.${name}: ${JSON.stringify(override)} is not a duration, but ${where} uses it as one`);
    }
  }
}

/** The drill and each of its scenarios: where it is, how messages name it, and its own fields. */
function drillParts(data: Obj): { path: PathKey[]; label: string; part: Obj }[] {
  if (!isObj(data.drill)) return [];
  const parts = [{ path: ['drill'] as PathKey[], label: 'drill', part: data.drill }];
  const scenarios = data.drill.scenarios;
  if (isObj(scenarios)) {
    for (const [name, sc] of Object.entries(scenarios)) {
      if (isObj(sc)) parts.push({ path: ['drill', 'scenarios', name], label: `drill scenario "${name}"`, part: sc });
    }
  }
  return parts;
}

function drillVarSets(data: Obj): { path: PathKey[]; label: string; vars: Obj }[] {
  return drillParts(data).flatMap(({ path, label, part }) =>
    isObj(part.vars) ? [{ path: [...path, 'vars'], label, vars: part.vars }] : [],
  );
}

function lintDrill(data: Obj, inputs: ReadonlySet<string>, at: (path: PathKey[], message: string, where?: 'key' | 'value') => void): void {
  for (const { path, label, vars } of drillVarSets(data)) {
    for (const name of Object.keys(vars)) {
      if (!inputs.has(name)) {
        at(
          [...path, name],
          `${label}: vars: "${name}" is neither an input nor an input/choose step (${inputs.size ? `known: ${[...inputs].join(', ')}` : 'the playbook has none'})`,
          'key',
        );
      }
    }
  }
  for (const { path, label, part } of drillParts(data)) {
    if (typeof part.fault === 'string' && !/^[a-z0-9_-]+:[a-z_]+(=[^:]+)?(:\d+(\.\d+)?(ms|s|m|h)+)?$/.test(part.fault)) {
      at(
        [...path, 'fault'],
        `${label}: fault: ${JSON.stringify(part.fault)} is not a fault spec (write <target>:<kind>[:<heal-after>], e.g. stripe:down:6s)`,
      );
    }
  }
}

/** An input not asked up front (ask: late or never) takes its default: without one (and required), it could never be answered unattended or would be asked anyway. */
function checkAskLater(input: Obj, name: string, at: (path: PathKey[], message: string, where?: 'key' | 'value') => void): void {
  if (input.ask !== 'late' && input.ask !== 'never') return;
  if (input.default !== undefined || input.required === false) return;
  at(
    ['inputs', name, 'ask'],
    `input "${name}": ask: ${input.ask} takes the default without asking, but the input has no default: give it one (or required: false), or use ask: early`,
  );
}

function checkDefaultInChoices(o: Obj, base: PathKey[], label: string, at: (path: PathKey[], message: string) => void): void {
  const list = Array.isArray(o.choices) ? o.choices : Array.isArray(o.options) ? o.options : undefined;
  const def = o.default;
  if (!list || def === undefined || (typeof def === 'string' && hasTemplate(def))) return;
  const values = list.map((c) => (isObj(c) ? c.value : c));
  if (!values.some((v) => String(v) === String(def))) {
    at([...base, 'default'], `${label}: default ${JSON.stringify(def)} is not one of the choices (${values.map(String).join(', ')})`);
  }
}

/** Every string inside a value, with its path (keys of NOT_TEMPLATES skipped at the top of a step). */
function walkStrings(value: unknown, path: PathKey[], skipTop: boolean, visit: (text: string, path: PathKey[]) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, [...path, i], false, visit));
  else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (skipTop && NOT_TEMPLATES.has(k)) continue;
      walkStrings(v, [...path, k], false, visit);
    }
  }
}

function fieldName(path: PathKey[], baseLength: number): string {
  return path
    .slice(baseLength)
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k))
    .join('');
}

function literalMs(v: unknown): number | undefined {
  return typeof v === 'string' && !hasTemplate(v) ? parseDuration(v) : undefined;
}

function declared(names: readonly string[], what: string): string {
  return names.length ? `declared: ${names.join(', ')}` : `the config declares no ${what}`;
}

export function stepLabel(step: unknown, index: number): string {
  const id = isObj(step) && typeof step.id === 'string' ? step.id : undefined;
  return id ? `step "${id}"` : `step ${index + 1}`;
}

/** The field of a step asking for a share below 100, when written literally. */
function splitsAskedFor(raw: Obj, type: unknown): { field: string; what: string } | undefined {
  if (type === 'switch_provider' && typeof raw.share === 'number' && raw.share < 100)
    return { field: 'share', what: `${raw.share}% of traffic` };
  if (type === 'shift_traffic') {
    const stages = Array.isArray(raw.stages)
      ? raw.stages
      : typeof raw.stages === 'string' && !hasTemplate(raw.stages)
        ? raw.stages.split(',').map(Number)
        : [];
    const partial = stages.filter((s) => typeof s === 'number' && s < 100);
    if (partial.length) return { field: 'stages', what: `stages of ${partial.join(', ')}% of traffic` };
  }
  return undefined;
}

/** Why the config's routing adapter cannot split, or undefined (it can, or there is no config to judge). */
function adapterWithoutSplit(config: unknown): string | undefined {
  if (!isObj(config) || !isObj(config.routing)) return undefined;
  const a = config.routing.adapter;
  if (!isObj(a)) return 'the config has no routing.adapter';
  if (a.type === 'hyperswitch' || a.split !== undefined) return undefined;
  return `the config's ${String(a.type)} routing adapter cannot split traffic (add routing.adapter.split; see docs/providers.md, "Shares")`;
}

/**
 * The `env:` variables a step reads: the `env:NAME` values in its own fields
 * (an http step's headers or url, a shell step's env), and those in the config
 * of what it uses (the channels it notifies, the escalation channels of the
 * provider it escalates to, the routing adapter it switches, the metrics
 * source it queries). preflight.ts checks them before a run; `playbook show`
 * lists them.
 *
 * Names are taken as written, or from the run's answers when written as
 * {{ inputs.name }}; a name templated over anything else is known only when
 * its step runs (the engine checks the rendered step then).
 */
import type { Config } from '../config/schema.js';
import type { Step } from '../playbook/schema.js';
import { isSecretRef } from '../secrets.js';

export interface SecretRead {
  /** The environment variable. */
  variable: string;
  /** Where it is named: `channels.slack.webhook_url`, `step tighten_rules, headers.Authorization`. */
  where: string;
}

/** Fields that name no secret (identity, text for people, conditions). */
const NOT_READ = new Set([
  'id',
  'type',
  'title',
  'description',
  'when',
  'until',
  'confirm',
  'instructions',
  'checklist',
  'message',
  'prompt',
  'options',
]);
const INPUT_ONLY = /^\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}$/;

/** What `step` reads. `answers`: inputs known so far (for names written as {{ inputs.x }}). */
export function secretsReadBy(step: Step, config: Config, answers: Record<string, unknown> = {}): SecretRead[] {
  const out: SecretRead[] = [];
  const resolveName = (value: string): string | undefined => {
    const input = INPUT_ONLY.exec(value.trim());
    if (input) {
      const v = answers[input[1]!];
      return typeof v === 'string' ? v : undefined;
    }
    return value.includes('{{') ? undefined : value;
  };
  const channel = (name: string | undefined) => {
    const n = name === undefined ? undefined : resolveName(name);
    if (n && config.channels[n]) collect(config.channels[n], `channels.${n}`, out);
  };
  out.push(...secretsInStepFields(step, answers));
  switch (step.type) {
    case 'notify':
      for (const ch of step.channels) channel(ch);
      break;
    case 'escalate': {
      const provider = resolveName(step.to);
      const esc = provider ? config.providers[provider]?.escalation : undefined;
      channel(esc?.pagerduty_channel);
      channel(esc?.ticket_channel);
      break;
    }
    case 'switch_provider':
      if (config.routing?.adapter) collect(config.routing.adapter, 'routing.adapter', out);
      break;
    case 'shift_traffic':
      if (config.routing?.adapter) collect(config.routing.adapter, 'routing.adapter', out);
      if (config.metrics) collect(config.metrics, 'metrics', out);
      break;
    case 'query_metrics':
      if (config.metrics) collect(config.metrics, 'metrics', out);
      break;
    default:
      break;
  }
  return out;
}

/** Only those written in the step's own fields (an http step's headers, a shell step's env). */
export function secretsInStepFields(step: Step, answers: Record<string, unknown> = {}): SecretRead[] {
  const out: SecretRead[] = [];
  for (const [k, v] of Object.entries(step)) if (!NOT_READ.has(k)) collectInStep(v, `step ${step.id}, ${k}`, answers, out);
  return out;
}

function collect(value: unknown, where: string, into: SecretRead[]): void {
  if (isSecretRef(value)) into.push({ variable: value.slice(4), where });
  else if (Array.isArray(value)) value.forEach((v, i) => collect(v, `${where}[${i}]`, into));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, `${where}.${k}`, into);
}

/** As collect, for a step's own fields, where `env:{{ inputs.x }}` names the variable by an answer. */
function collectInStep(value: unknown, where: string, answers: Record<string, unknown>, into: SecretRead[]): void {
  if (typeof value === 'string') {
    const templated = /^env:\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(value.trim());
    if (templated) {
      const v = answers[templated[1]!];
      if (typeof v === 'string' && isSecretRef(`env:${v}`)) into.push({ variable: v, where });
    } else if (isSecretRef(value)) {
      into.push({ variable: value.slice(4), where });
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => collectInStep(v, `${where}[${i}]`, answers, into));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectInStep(v, `${where}.${k}`, answers, into);
  }
}

/** Whether the variable is missing from the environment (unset or empty, as resolveSecret sees it). */
export function isUnset(env: NodeJS.ProcessEnv, variable: string): boolean {
  return env[variable] === undefined || env[variable] === '';
}

export interface PlaybookSecret {
  variable: string;
  /** Where each is named: `channels.slack.webhook_url`, `headers.Authorization` (a step's own field). */
  where: string[];
  /** The steps that read it (some may be conditional: see their when:). */
  steps: string[];
}

/** Every variable a playbook's steps can read with this config (and these answers: the inputs' defaults), in order of first use (`playbook show`). */
export function playbookSecrets(steps: readonly Step[], config: Config, answers: Record<string, unknown> = {}): PlaybookSecret[] {
  const by = new Map<string, PlaybookSecret>();
  for (const step of steps) {
    for (const read of secretsReadBy(step, config, answers)) {
      const where = read.where.replace(/^step [^,]+, /, '');
      const entry = by.get(read.variable) ?? { variable: read.variable, where: [], steps: [] };
      if (!entry.where.includes(where)) entry.where.push(where);
      if (!entry.steps.includes(step.id)) entry.steps.push(step.id);
      by.set(read.variable, entry);
    }
  }
  return [...by.values()];
}

/**
 * Before an incident opens (and before a resume runs the steps it has left):
 * every secret the playbook's channels, escalations and routing need must be
 * in the environment. A missing one is exit 2 naming
 * the variable and the step that needs it, before anything is posted or
 * moved, instead of a failed step in the middle of the outage (the team
 * channel silent throughout). A dry run is not stopped here: it reports a
 * missing secret at the step that needs it, as a rehearsal should.
 *
 * Names are taken as written in the playbook, or from the run's answers when
 * written as {{ inputs.name }}; other templated names are checked when their
 * step runs.
 */
import type { Config } from '../config/schema.js';
import { InvalidInputError } from '../errors.js';
import type { Playbook } from '../playbook/schema.js';
import { isSecretRef } from '../secrets.js';

interface Need {
  variable: string;
  where: string;
  step: string;
}

/** Throws (exit 2) when a secret a step of the playbook needs is not set. */
export function requireStepSecrets(playbook: Pick<Playbook, 'steps'>, config: Config, env: NodeJS.ProcessEnv, answers: Record<string, unknown>, nothing = 'nothing was started'): void {
  const needs: Need[] = [];
  const name = (value: string): string | undefined => {
    const input = /^\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(value.trim());
    if (input) return typeof answers[input[1]!] === 'string' ? (answers[input[1]!] as string) : undefined;
    return value.includes('{{') ? undefined : value;
  };
  const channel = (ch: string | undefined, step: string) => {
    if (ch && config.channels[ch]) collect(config.channels[ch], `channels.${ch}`, step, env, needs);
  };
  for (const step of playbook.steps) {
    if (step.type === 'notify') for (const ch of step.channels) channel(name(ch), step.id);
    if (step.type === 'escalate') {
      const provider = name(step.to);
      const esc = provider ? config.providers[provider]?.escalation : undefined;
      channel(esc?.pagerduty_channel, step.id);
      channel(esc?.ticket_channel, step.id);
    }
    if (step.type === 'switch_provider' && config.routing?.adapter) collect(config.routing.adapter, 'routing.adapter', step.id, env, needs);
  }
  // each variable once, named by the first step that needs it
  const missing = needs.filter((n, i) => needs.findIndex((m) => m.variable === n.variable) === i);
  if (missing.length === 0) return;
  const list = missing.map((n) => `${n.variable} (${n.where}, for step ${n.step})`).join(', ');
  throw new InvalidInputError(
    `environment variable${missing.length > 1 ? 's' : ''} not set: ${list}`,
    `export ${missing.map((n) => n.variable).join(', ')} before running payctl, or set ${missing.length > 1 ? 'them' : 'it'} in your CI secrets; ${nothing}`,
  );
}

function collect(value: unknown, where: string, step: string, env: NodeJS.ProcessEnv, into: Need[]): void {
  if (isSecretRef(value)) {
    const variable = value.slice(4);
    if (env[variable] === undefined || env[variable] === '') into.push({ variable, where, step });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => collect(v, `${where}[${i}]`, step, env, into));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collect(v, `${where}.${k}`, step, env, into);
  }
}

/**
 * Before an incident opens (and before a resume or a drill runs the steps it
 * has left): every `env:` variable the steps that can still run will read
 * (secrets-needed.ts: their own fields and the config of what they use) must
 * be set. Missing ones are one exit 2 naming all of them and the steps that
 * need them, before anything is opened, posted or moved, instead of a step
 * failing in the middle of the outage.
 *
 * A step whose `when:` cannot hold given what is known (reachable.ts: an
 * empty fraud_rules_url, a step it depends on that cannot run) reads nothing.
 * With a person at the terminal the inputs are asked after the incident
 * opens: steps that hinge on an answer (or name a secret by one) are checked
 * once the answers are in, before the first step runs.
 *
 * A dry run is not stopped here: it reports a missing secret at the step that
 * needs it, as a rehearsal should. The engine checks each step's own fields
 * again, rendered, just before it starts (execute.ts): a secret missing then
 * fails that step, and its on_failure applies; a channel's or the routing's
 * missing secret fails that channel or switch in its handler, the same way.
 */
import type { Config } from '../config/schema.js';
import { InvalidInputError } from '../errors.js';
import type { Step } from '../playbook/schema.js';
import type { Scope } from '../template/engine.js';
import { stepsThatCanRun } from './reachable.js';
import { isUnset, secretsInStepFields, secretsReadBy } from './secrets-needed.js';

export interface PreflightOptions {
  /** The steps left to run, in order. */
  steps: readonly Step[];
  config: Config;
  env: NodeJS.ProcessEnv;
  /** The scope as known now: inputs answered so far, config, and the outcomes of `settled` steps. */
  scope: Scope;
  /** Steps whose outcome is final (completed in an earlier run and not rechecked by a step left). */
  settled?: ReadonlySet<string>;
  /** Inputs a person will still be asked: steps that hinge on them are left for the check after the answers. */
  unanswered?: ReadonlySet<string>;
  /** The end of the refusal's hint: "nothing was started", "nothing was resumed". */
  nothing: string;
}

interface Missing {
  variable: string;
  where: string;
  step: string;
}

/** Throws (exit 2, naming every missing variable) when a step that can run reads one that is not set. */
export async function requireStepSecrets(o: PreflightOptions): Promise<void> {
  const unanswered = o.unanswered ?? new Set<string>();
  const answers = (o.scope.inputs as Record<string, unknown> | undefined) ?? {};
  const runnable = await stepsThatCanRun(o.steps, { scope: o.scope, settled: o.settled ?? new Set(), unanswered });
  const missing: Missing[] = [];
  for (const { step, hingesOnAnswers } of runnable) {
    if (hingesOnAnswers) continue;
    for (const read of secretsReadBy(step, o.config, answers)) {
      if (isUnset(o.env, read.variable) && !missing.some((m) => m.variable === read.variable)) missing.push({ ...read, step: step.id });
    }
  }
  if (missing.length) throw missingSecretsError(missing, o.nothing);
}

/**
 * The secrets a rendered step names in its own fields that are not set, as
 * the error of a step that failed before it started (undefined when all are
 * set). Those of the config (channels, routing, metrics) are the handlers':
 * a notify posts to the channels it can and reports the others.
 */
export function missingSecretsOf(step: Step, env: NodeJS.ProcessEnv): string | undefined {
  const missing = secretsInStepFields(step).filter(
    (r, i, all) => isUnset(env, r.variable) && all.findIndex((o) => o.variable === r.variable) === i,
  );
  if (!missing.length) return undefined;
  return `${missing.length > 1 ? 'environment variables' : 'environment variable'} not set: ${missing.map((m) => `${m.variable} (${m.where})`).join(', ')}; nothing was sent`;
}

function missingSecretsError(missing: Missing[], nothing: string): InvalidInputError {
  const list = missing
    .map((m) => (m.where.startsWith('step ') ? `${m.variable} (${m.where})` : `${m.variable} (${m.where}, for step ${m.step})`))
    .join(', ');
  const names = missing.map((m) => m.variable).join(', ');
  return new InvalidInputError(
    `environment variable${missing.length > 1 ? 's' : ''} not set: ${list}`,
    `export ${names} before running payctl, or set ${missing.length > 1 ? 'them' : 'it'} in your CI secrets; ${nothing}`,
  );
}

/**
 * A new incident's inputs with a person at the terminal, asking only what
 * matters before mitigation:
 *   - given by --var or the answers file: taken;
 *   - `ask: late` or `never` (with a default): the default, not asked; the
 *     caller shows them in one summary line (payctl incident set changes one);
 *   - `ask: early` (the default) with a value payctl knows (inferred from the
 *     health check, or the input's default): confirmed together in one
 *     question; "no" asks each of them, pre-filled;
 *   - the rest: asked one by one.
 */
import type { Playbook, PlaybookInput } from '../playbook/schema.js';
import type { Scope } from '../template/engine.js';
import type { Answers } from '../ui/answers.js';
import type { Prompter } from '../ui/prompter.js';
import type { SuggestedInputs } from './inferred-inputs.js';
import { answerInput, askMode, coerce, defaultOf, providerNames, type AnsweredInput } from './inputs.js';

export interface StartInputsOptions {
  playbook: Playbook;
  answers: Answers;
  prompter: Prompter;
  /** The template scope with the answers recorded so far (for defaults over earlier inputs). */
  scope: () => Scope;
  /** Write one answer to the timeline. */
  record: (a: AnsweredInput) => Promise<void>;
  suggested?: SuggestedInputs;
}

interface Offered {
  name: string;
  spec: PlaybookInput;
  value: unknown;
  why?: string;
}

/** Answer every input; returns those that took their default without being asked (for the summary line). */
export async function answerStartInputs(o: StartInputsOptions): Promise<AnsweredInput[]> {
  const { answers, prompter } = o;
  const deferred: AnsweredInput[] = [];
  const offered: Offered[] = [];
  const toAsk: [string, PlaybookInput][] = [];
  for (const [name, spec] of Object.entries(o.playbook.inputs ?? {})) {
    if (answers.values[name] !== undefined) {
      await o.record(await answerInput(name, spec, answers, prompter, o.scope()));
      continue;
    }
    const waits = askMode(spec) !== 'early' && (spec.default !== undefined || spec.required === false);
    if (waits || !prompter.canPrompt) {
      const a = await answerInput(name, spec, answers, prompter, o.scope(), { ask: false });
      await o.record(a);
      deferred.push(a);
      continue;
    }
    const suggestion = o.suggested?.[name];
    const pending = Object.fromEntries(offered.map((x) => [x.name, x.value]));
    const scope = o.scope();
    const value = suggestion?.value ?? (await defaultOf(name, spec, { ...scope, inputs: { ...(scope.inputs as object), ...pending } }));
    const acceptable = value !== undefined && value !== '' && accepts(name, spec, value, scope);
    if (acceptable) offered.push({ name, spec, value: coerce(name, spec, value, providerNames(scope)), why: suggestion?.why });
    else toAsk.push([name, spec]);
  }
  if (offered.length) {
    const yes = await prompter.confirm(confirmQuestion(offered), true);
    for (const x of offered) {
      const a = yes
        ? { name: x.name, value: x.value, from: 'prompt' as const }
        : await answerInput(x.name, x.spec, answers, prompter, o.scope(), { suggested: String(x.value) });
      await o.record(a);
    }
  }
  for (const [name, spec] of toAsk) await o.record(await answerInput(name, spec, answers, prompter, o.scope()));
  return deferred;
}

/** "provider stripe (major_outage), backup adyen (operational, first backup in routing order): go with these?" */
export function confirmQuestion(offered: { name: string; value: unknown; why?: string }[]): string {
  const parts = offered.map((x) => `${x.name} ${String(x.value)}${x.why ? ` (${x.why})` : ''}`);
  return `${parts.join(', ')}: go with ${offered.length === 1 ? 'this' : 'these'}?`;
}

/** The one summary line for inputs not asked: "eta "within the next hour", recovery_timeout 2h". */
export function deferredSummary(deferred: AnsweredInput[]): string {
  return deferred
    .map((a) => `${a.name} ${typeof a.value === 'string' && /\s/.test(a.value) ? JSON.stringify(a.value) : String(a.value)}`)
    .join(', ');
}

function accepts(name: string, spec: PlaybookInput, value: unknown, scope: Scope): boolean {
  try {
    coerce(name, spec, value, providerNames(scope));
    return true;
  } catch {
    return false;
  }
}

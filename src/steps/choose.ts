/**
 * choose: the responder picks one of `options` (e.g. failover or wait). The
 * pick is `steps.<id>.value`, read by later steps' `when:`. Unattended:
 * `--var <id>=…`, the answers file, the default, else exit 2 naming the flag.
 */
import type { StepHandler } from '../engine/types.js';
import { choiceLabel, choiceValue } from '../playbook/enums.js';
import type { StepOf } from '../playbook/schema.js';

export const choose: StepHandler<StepOf<'choose'>> = async (run) => {
  const { step } = run;
  const choices = step.options.map((c) => ({ value: choiceValue(c), name: choiceLabel(c) }));
  const value = await run.prompter.select(step.prompt, choices, step.default, { name: step.id });
  const label = choices.find((c) => c.value === value)?.name ?? value;
  return { outcome: 'ok', result: { value, label }, message: label };
};

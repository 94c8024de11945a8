/**
 * input: ask the responder for a value (free text, or one of `choices`). The
 * answer is the step's value: `steps.<id>.value`. Unattended: `--var <id>=…`,
 * the answers file, the default, else exit 2 naming the flag.
 */
import type { StepHandler } from '../engine/types.js';
import { choiceLabel, choiceValue } from '../playbook/enums.js';
import type { StepOf } from '../playbook/schema.js';

export const input: StepHandler<StepOf<'input'>> = async (run) => {
  const { step, prompter } = run;
  const def = step.default === undefined ? undefined : String(step.default);
  const value = step.choices?.length
    ? await prompter.select(
        step.prompt,
        step.choices.map((c) => ({ value: choiceValue(c), name: choiceLabel(c) })),
        def,
        { name: step.id },
      )
    : await prompter.input(step.prompt, def, { name: step.id });
  if (step.choices?.length && !step.choices.map(choiceValue).includes(value)) {
    return { outcome: 'failed', error: `"${value}" is not one of ${step.choices.map(choiceValue).join(', ')}` };
  }
  return { outcome: 'ok', result: { value }, message: value };
};

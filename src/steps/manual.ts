/**
 * manual: instructions (and an optional checklist) for the responder. With a
 * person: the instructions are shown, then a checkbox list (or "Done?"). Without
 * one, the instructions are printed and the step is recorded as done
 * unattended (it never blocks a CI run; use `confirm:` for a real gate).
 */
import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

export const manual: StepHandler<StepOf<'manual'>> = async (run) => {
  const { step, prompter } = run;
  if (step.instructions) for (const line of step.instructions.trimEnd().split('\n')) run.log(line);
  const checklist = step.checklist ?? [];
  if (!prompter.canPrompt || run.dryRun) {
    for (const item of checklist) run.log(`[ ] ${item}`);
    return { outcome: 'ok', result: { unattended: true, checked: [], unchecked: checklist }, message: run.dryRun ? 'dry run: not asked' : 'no person to confirm; recorded as shown' };
  }
  if (checklist.length) {
    const choices = checklist.map((item, i) => ({ value: String(i), name: item }));
    const picked = new Set(await prompter.checkbox(`${step.title}: tick what is done`, choices, { name: step.id }));
    const checked = checklist.filter((_, i) => picked.has(String(i)));
    const unchecked = checklist.filter((_, i) => !picked.has(String(i)));
    if (unchecked.length) run.log(`not done: ${unchecked.join('; ')}`);
    return { outcome: 'ok', result: { checked, unchecked }, message: `${checked.length}/${checklist.length} done` };
  }
  const done = await prompter.confirm(`${step.title}: done?`, true, { name: step.id });
  return done ? { outcome: 'ok', result: { done: true } } : { outcome: 'skipped', reason: 'skipped by responder' };
};

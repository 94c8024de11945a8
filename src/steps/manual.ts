/**
 * manual: instructions (and an optional checklist) for the responder. With a
 * person: the instructions are shown, then one question: a checkbox list (or
 * "Done?"). A step with `confirm:` asks its confirm question as that one
 * question, after the instructions (the engine hands the gate over: run.gate):
 * a yes, or ticking at least one item, approves it; a no, or nothing ticked,
 * skips it as not approved. Without a person, the instructions are printed and
 * the step is recorded as done unattended (it never blocks a CI run; with
 * `confirm:` the engine's gate needs --yes first). A step with `owner:` first
 * says whose it is: "for comms (sam)", or "(you)" to the person holding it.
 */
import type { StepHandler, StepResult } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import { roleHolder } from '../playbook/roles.js';
import { actorName } from '../timeline/actor.js';

const NOT_APPROVED: StepResult = { outcome: 'skipped', reason: 'not approved by responder' };

export const manual: StepHandler<StepOf<'manual'>> = async (run) => {
  const { step, prompter, gate } = run;
  if (step.owner) run.log(await ownerLine(step.owner, run.incident.state().roles, run.incident.id));
  if (step.instructions) for (const line of step.instructions.trimEnd().split('\n')) run.log(line);
  const checklist = step.checklist ?? [];
  if (!prompter.canPrompt || run.dryRun) {
    for (const item of checklist) run.log(`[ ] ${item}`);
    return {
      outcome: 'ok',
      result: { unattended: true, checked: [], unchecked: checklist },
      message: run.dryRun ? 'dry run: not asked' : 'no person to confirm; recorded as shown',
    };
  }
  if (checklist.length) {
    const choices = checklist.map((item, i) => ({ value: String(i), name: item }));
    const question = gate ? `${gate.question} (tick what is done; nothing ticked: not approved)` : `${step.title}: tick what is done`;
    const picked = new Set(await prompter.checkbox(question, choices, { name: step.id, ...(gate ? { gate: step.id } : {}) }));
    const checked = checklist.filter((_, i) => picked.has(String(i)));
    const unchecked = checklist.filter((_, i) => !picked.has(String(i)));
    if (gate) {
      await gate.answer(checked.length > 0);
      if (!checked.length) return NOT_APPROVED;
    }
    if (unchecked.length) run.log(`not done: ${unchecked.join('; ')}`);
    return { outcome: 'ok', result: { checked, unchecked }, message: `${checked.length}/${checklist.length} done` };
  }
  if (gate) {
    const yes = await prompter.confirm(gate.question, false, { name: step.id, gate: step.id });
    await gate.answer(yes);
    return yes ? { outcome: 'ok', result: { done: true } } : NOT_APPROVED;
  }
  const done = await prompter.confirm(`${step.title}: done?`, true, { name: step.id });
  return done ? { outcome: 'ok', result: { done: true } } : { outcome: 'skipped', reason: 'skipped by responder' };
};

/** Whose step this is; when nobody holds the role, how to give it to someone. */
async function ownerLine(role: string, roles: Record<string, string>, id: string): Promise<string> {
  const line = `for ${roleHolder(role, roles, await actorName())}`;
  return roles[role] ? line : `${line}: payctl incident assign ${id} --role ${role} --to <person>`;
}

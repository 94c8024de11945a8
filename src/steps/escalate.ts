import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const escalate: StepHandler<StepOf<'escalate'>> = async () => ({ outcome: 'failed', error: 'step type escalate is not implemented yet' });

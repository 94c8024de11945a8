import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const shell: StepHandler<StepOf<'shell'>> = async () => ({ outcome: 'failed', error: 'step type shell is not implemented yet' });

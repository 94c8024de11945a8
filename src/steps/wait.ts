import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const wait: StepHandler<StepOf<'wait'>> = async () => ({ outcome: 'failed', error: 'step type wait is not implemented yet' });

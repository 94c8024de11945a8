import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const choose: StepHandler<StepOf<'choose'>> = async () => ({ outcome: 'failed', error: 'step type choose is not implemented yet' });

import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const input: StepHandler<StepOf<'input'>> = async () => ({ outcome: 'failed', error: 'step type input is not implemented yet' });

import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const manual: StepHandler<StepOf<'manual'>> = async () => ({ outcome: 'failed', error: 'step type manual is not implemented yet' });

import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const check_status: StepHandler<StepOf<'check_status'>> = async () => ({ outcome: 'failed', error: 'step type check_status is not implemented yet' });

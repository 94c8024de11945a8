import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const set_status: StepHandler<StepOf<'set_status'>> = async () => ({ outcome: 'failed', error: 'step type set_status is not implemented yet' });

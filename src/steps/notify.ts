import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const notify: StepHandler<StepOf<'notify'>> = async () => ({ outcome: 'failed', error: 'step type notify is not implemented yet' });

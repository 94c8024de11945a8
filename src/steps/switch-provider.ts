import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const switch_provider: StepHandler<StepOf<'switch_provider'>> = async () => ({ outcome: 'failed', error: 'step type switch_provider is not implemented yet' });

import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const http: StepHandler<StepOf<'http'>> = async () => ({ outcome: 'failed', error: 'step type http is not implemented yet' });

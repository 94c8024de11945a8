import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';

// placeholder: implemented by its issue
export const query_metrics: StepHandler<StepOf<'query_metrics'>> = async () => ({ outcome: 'failed', error: 'step type query_metrics is not implemented yet' });

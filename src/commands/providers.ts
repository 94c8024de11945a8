import type { Context } from '../context.js';
import { OperationError } from '../errors.js';

// placeholder: implemented by its issue
export async function providers(_ctx: Context): Promise<void> {
  throw new OperationError('not implemented yet');
}

import type { Context } from '../context.js';
import { OperationError } from '../errors.js';

// placeholder: implemented by its issue
export async function check(_ctx: Context, _opts: Record<string, unknown>): Promise<void> {
  throw new OperationError('not implemented yet');
}

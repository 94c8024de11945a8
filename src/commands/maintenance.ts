import type { Context } from '../context.js';
import { OperationError } from '../errors.js';

// placeholder: implemented by its issue
export async function maintenance(_ctx: Context, _opts: { days: string }): Promise<void> {
  throw new OperationError('not implemented yet');
}

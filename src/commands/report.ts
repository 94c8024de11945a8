import type { Context } from '../context.js';
import { OperationError } from '../errors.js';

// placeholder: implemented by its issue
export async function report(_ctx: Context, _opts: { since: string }): Promise<void> {
  throw new OperationError('not implemented yet');
}

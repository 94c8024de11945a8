import type { Context } from '../context.js';
import { OperationError } from '../errors.js';

// placeholder: implemented by its issue
export async function postmortem(_ctx: Context, _id: string, _opts: { template?: string; out?: string }): Promise<void> {
  throw new OperationError('not implemented yet');
}

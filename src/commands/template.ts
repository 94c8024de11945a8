import type { Context } from '../context.js';
import { OperationError } from '../errors.js';

// placeholder: implemented by its issue
export async function list(_ctx: Context): Promise<void> {
  throw new OperationError('not implemented yet');
}
export async function render(_ctx: Context, _name: string, _opts: { incident?: string; channel?: string }): Promise<void> {
  throw new OperationError('not implemented yet');
}

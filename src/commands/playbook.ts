import type { Context } from '../context.js';
import { OperationError } from '../errors.js';

// placeholder: implemented by its issue
export async function list(_ctx: Context): Promise<void> {
  throw new OperationError('not implemented yet');
}
export async function show(_ctx: Context, _id: string): Promise<void> {
  throw new OperationError('not implemented yet');
}
export async function validate(_ctx: Context, _files: string[]): Promise<void> {
  throw new OperationError('not implemented yet');
}

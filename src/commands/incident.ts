import type { Context } from '../context.js';
import { OperationError } from '../errors.js';

// placeholder: implemented by its issue
export async function start(_ctx: Context, _opts: Record<string, unknown>): Promise<void> {
  throw new OperationError('not implemented yet');
}
export async function resume(_ctx: Context, _id: string, _opts: Record<string, unknown>): Promise<void> {
  throw new OperationError('not implemented yet');
}
export async function list(_ctx: Context, _opts: { status?: string }): Promise<void> {
  throw new OperationError('not implemented yet');
}
export async function show(_ctx: Context, _id: string): Promise<void> {
  throw new OperationError('not implemented yet');
}
export async function note(_ctx: Context, _id: string, _text: string): Promise<void> {
  throw new OperationError('not implemented yet');
}
export async function status(_ctx: Context, _id: string, _status: string): Promise<void> {
  throw new OperationError('not implemented yet');
}
export async function resolve(_ctx: Context, _id: string): Promise<void> {
  throw new OperationError('not implemented yet');
}
export async function verify(_ctx: Context, _id: string): Promise<void> {
  throw new OperationError('not implemented yet');
}

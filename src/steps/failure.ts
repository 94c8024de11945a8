/** A thrown error as a failed step: the result the handlers that call providers return from their catch. */
import { HttpError } from '../providers/http.js';
import { messageOf } from '../errors.js';
import type { StepResult } from '../engine/types.js';

/** Network errors, 5xx and timeouts are retryable (HttpError says which); user mistakes are not. */
export function failedFrom(e: unknown): StepResult {
  const retryable = e instanceof HttpError ? e.retryable : false;
  return { outcome: 'failed', error: messageOf(e), retryable };
}

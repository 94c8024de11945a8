/**
 * Errors and the exit-code table. Only the entry (src/cli.ts) prints errors;
 * everything else throws one of these.
 *
 *   0 ok · 1 an operation or step failed · 2 invalid input (usage, config, playbook)
 *   3 aborted or approval missing · 4 unhealthy (a check found a degraded provider)
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  invalid: 2,
  aborted: 3,
  unhealthy: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can act on: printed as a message, never with a stack (unless PAYCTL_DEBUG=1). */
export class PayctlError extends Error {
  readonly exitCode: ExitCode;
  /** Extra lines printed after the message: what to do next. */
  readonly hint?: string;
  constructor(message: string, exitCode: ExitCode = ExitCode.failed, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad flags, arguments, config or playbook: exit 2. */
export class InvalidInputError extends PayctlError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.invalid, hint);
  }
}

/** One problem in a file, with its position (1-based). */
export interface SourceProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatProblem(p: SourceProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** A file (config, playbook, answers, template) with one or more located problems: exit 2. */
export class SourceError extends InvalidInputError {
  readonly problems: SourceProblem[];
  constructor(problems: SourceProblem[], hint?: string) {
    super(problems.map(formatProblem).join('\n'), hint);
    this.problems = problems;
  }
}

/** A step or an operation failed: exit 1. */
export class OperationError extends PayctlError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.failed, hint);
  }
}

/** Stopped by a person (abort, Ctrl-C) or an approval is missing with no person to ask: exit 3. */
export class AbortedError extends PayctlError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.aborted, hint);
  }
}

/** A check found a degraded or down provider: exit 4. */
export class UnhealthyError extends PayctlError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.unhealthy, hint);
  }
}

export function isPayctlError(e: unknown): e is PayctlError {
  return e instanceof PayctlError;
}

/** Message of any thrown value, for wrapping. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

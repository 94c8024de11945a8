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

/** What each storage failure means to a person, and what to do about it. */
const STORAGE_PROBLEMS: Record<string, { what: string; fix: string }> = {
  ENOSPC: { what: 'the disk is full', fix: 'free space on the disk that holds it (df -h shows which)' },
  EDQUOT: { what: 'the disk quota is used up', fix: 'free space within your quota, or raise it' },
  EROFS: {
    what: 'the filesystem is mounted read-only',
    fix: 'remount it read-write, or point payctl at a writable store (store: in payctl.config.yaml)',
  },
  EACCES: {
    what: 'permission denied',
    fix: 'run payctl as a user who may write there (ls -ld shows the owner), or point payctl at a store you can write (store: in payctl.config.yaml, or PAYCTL_STORE)',
  },
  EPERM: {
    what: 'the operation is not permitted',
    fix: 'run payctl as a user who may write there (ls -ld shows the owner), or point payctl at a store you can write (store: in payctl.config.yaml, or PAYCTL_STORE)',
  },
};

/** A file could not be written because of the disk, the filesystem or its permissions (full, read-only, not ours): exit 1, not a bug. */
export class StorageError extends OperationError {
  readonly path: string;
  readonly code: string;
  constructor(path: string, code: string, hint?: string) {
    const p = STORAGE_PROBLEMS[code]!;
    super(`cannot write ${path}: ${p.what} (${code})`, [`${p.fix}`, hint].filter(Boolean).join('\n'));
    this.path = path;
    this.code = code;
  }

  /** The same error with a next step added (e.g. the resume command of the incident it stopped). */
  withHint(next: string): StorageError {
    return new StorageError(this.path, this.code, next);
  }
}

/** A full disk or a read-only filesystem as a StorageError naming `path` (or the error's own path); other errors: undefined. */
export function asStorageError(e: unknown, path?: string): StorageError | undefined {
  if (e instanceof StorageError) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  const code = err?.code;
  if (!code || !(code in STORAGE_PROBLEMS)) return undefined;
  return new StorageError(path ?? err.path ?? 'a file', code);
}

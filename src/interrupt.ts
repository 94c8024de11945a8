/**
 * Stopping a run with a signal. The command listens for SIGINT and SIGTERM
 * while the engine runs (withInterrupt) and aborts the run's signal with an
 * Interrupted reason that remembers which signal it was, so the messages say
 * "interrupted (Ctrl-C)" or "terminated (SIGTERM)". The engine saves the
 * incident and says how to resume.
 */
export class Interrupted extends Error {
  readonly verb: string;
  /** What sent it, in the user's words: Ctrl-C, SIGTERM. */
  readonly how: string;
  constructor(readonly signalName: NodeJS.Signals) {
    const verb = signalName === 'SIGTERM' ? 'terminated' : 'interrupted';
    const how = signalName === 'SIGINT' ? 'Ctrl-C' : signalName;
    super(`${verb} (${how})`);
    this.name = 'Interrupted';
    this.verb = verb;
    this.how = how;
  }
}

/**
 * The message for a run stopped by `signal`: "interrupted during step "x" (Ctrl-C)",
 * "terminated during step "x" (SIGTERM)", or "interrupted …" when the reason is unknown.
 */
export function interruption(signal: AbortSignal, where?: string): string {
  const r: unknown = signal.reason;
  const at = where ? ` ${where}` : '';
  return r instanceof Interrupted ? `${r.verb}${at} (${r.how})` : `interrupted${at}`;
}

/** Run the body with SIGINT/SIGTERM aborting its signal (with an Interrupted reason) instead of killing the process. */
export async function withInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => ac.abort(new Interrupted(sig));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

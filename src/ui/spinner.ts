/**
 * A spinner for the running step: ora on stderr, only when stderr is a
 * terminal with a width and CI is unset. Otherwise it does nothing (the engine
 * prints a line per finished step instead). ora is imported only when used.
 *
 * Some CI and container pseudo-terminals report 0 columns: ora divides the
 * text's width by the columns to know how many lines to erase, gets Infinity,
 * and writes cursor-up/erase sequences without end. Such a terminal gets no
 * spinner (checked again at each start: a resize can make it 0).
 */
import { isCI, type Context } from '../context.js';

export interface Spinner {
  readonly active: boolean;
  start(text: string): void;
  /** Stop and clear (before a prompt or a printed line). */
  stop(): void;
}

const silent: Spinner = { active: false, start() {}, stop() {} };

export async function createSpinner(ctx: Context): Promise<Spinner> {
  const stream = ctx.streams.stderr as NodeJS.WriteStream;
  if (!ctx.out.stderrIsTTY || isCI(ctx.env) || ctx.env.TERM === 'dumb' || !hasWidth(stream)) return silent;
  const { default: ora } = await import('ora');
  const spinner = ora({ stream, discardStdin: false });
  return {
    get active() {
      return spinner.isSpinning;
    },
    start(text) {
      if (hasWidth(stream)) spinner.start(text);
    },
    stop() {
      if (spinner.isSpinning) spinner.stop();
    },
  };
}

/** A terminal that reports its width as 0 (or not a number) cannot have a line redrawn in place. */
export function hasWidth(stream: { columns?: number }): boolean {
  return stream.columns === undefined || (Number.isFinite(stream.columns) && stream.columns > 0);
}

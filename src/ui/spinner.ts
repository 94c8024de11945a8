/**
 * A spinner for the running step: ora on stderr, only when stderr is a
 * terminal and CI is unset. Otherwise it does nothing (the engine prints a
 * line per finished step instead). ora is imported only when used.
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
  if (!ctx.out.stderrIsTTY || isCI(ctx.env) || ctx.env.TERM === 'dumb') return silent;
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: ctx.streams.stderr as NodeJS.WriteStream, discardStdin: false });
  return {
    get active() {
      return spinner.isSpinning;
    },
    start(text) {
      spinner.start(text);
    },
    stop() {
      if (spinner.isSpinning) spinner.stop();
    },
  };
}

/**
 * The prompter used when no person can be asked (CI, --yes, no terminal).
 * It never shows a prompt: it takes the default, or fails naming the flag that
 * answers the question (exit 2), or, for an approval, passes only with --yes
 * (otherwise exit 3 naming the step and --yes). Answers given with --var or the
 * answers file are applied before this (ui/answers.ts).
 */
import { AbortedError, InvalidInputError } from '../errors.js';
import type { Output } from '../output.js';
import type { AskOptions, Prompter, SelectChoice } from './prompter.js';

export function createUnattendedPrompter(o: { yes: boolean; out: Output }): Prompter {
  const missing = (message: string, opts: AskOptions | undefined, example: string): never => {
    const name = opts?.name;
    throw new InvalidInputError(
      name ? `no answer for ${name} ("${message}") and no person to ask` : `"${message}" needs an answer and there is no person to ask`,
      name ? `pass --var ${name}=${example} (or put ${name}: … in the --answers file)` : 'run in a terminal to answer it',
    );
  };
  return {
    canPrompt: false,
    async select<T extends string>(message: string, choices: SelectChoice<T>[], defaultValue?: T, opts?: AskOptions): Promise<T> {
      if (defaultValue !== undefined) return defaultValue;
      return missing(message, opts, `<${choices.map((c) => c.value).join('|')}>`);
    },
    async input(message, defaultValue, opts) {
      if (defaultValue !== undefined) return defaultValue;
      return missing(message, opts, '<value>');
    },
    async confirm(message, _defaultValue, opts) {
      if (o.yes) return true;
      const what = opts?.gate ? `step "${opts.gate}" needs approval ("${message}")` : `"${message}" needs approval`;
      throw new AbortedError(
        `${what} and there is no person to ask`,
        'pass --yes to approve gated steps in an unattended run (or run it in a terminal)',
      );
    },
    async checkbox(message, choices, opts) {
      if (o.yes) return choices.map((c) => c.value);
      const what = opts?.gate ? `step "${opts.gate}" ("${message}")` : `"${message}"`;
      throw new AbortedError(`${what} needs a person to tick its checklist`, 'pass --yes to mark it done in an unattended run');
    },
    notice(text) {
      o.out.info(text);
    },
  };
}

/** The line said on stderr as an unattended run starts: that it runs unattended, why, and what that means. */
export function unattendedNotice(reason: string, yes: boolean): string {
  const approvals = yes
    ? 'approval gates pass (--yes), except one that needs a second person (exit 3)'
    : 'the first approval gate stops the run (exit 3; resume with --yes)';
  return `running unattended (${reason}): nothing is asked; inputs come from --var, --answers or their defaults, and ${approvals}`;
}

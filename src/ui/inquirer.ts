/**
 * The prompter for a person at a terminal: @inquirer/prompts, imported only
 * when the first question is asked. Ctrl-C at a prompt, or the run's signal
 * (SIGTERM) while a question is open, becomes PromptInterruptedError (exit 3);
 * the engine saves and prints how to resume.
 * Notices (due reminders) are shown just before the next question; identical
 * ones queued meanwhile (a reminder that fell due several times while the
 * responder was busy) are shown once, with a count.
 */
import { AbortedError } from '../errors.js';
import { interruption } from '../interrupt.js';
import type { Output } from '../output.js';
import type { Prompter, SelectChoice } from './prompter.js';

/** Ctrl-C (or Ctrl-D) at a prompt, or a signal that stopped the run while a question was open. */
export class PromptInterruptedError extends AbortedError {
  constructor(message = 'interrupted at a prompt (Ctrl-C)') {
    super(message);
  }
}

export interface InquirerPrompterOptions {
  out: Output;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Called before a question is shown (the engine pauses its spinner). */
  beforeAsk?: () => void;
  /** The run's signal: when it aborts (SIGTERM, SIGINT from outside), an open question is cancelled. */
  signal?: AbortSignal;
}

type Prompts = typeof import('@inquirer/prompts');

/** Identical lines once each, in order of first appearance, with "(×n)" when repeated. */
export function coalesceNotices(lines: string[]): string[] {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].map(([l, n]) => (n > 1 ? `${l} (×${n})` : l));
}

export function createInquirerPrompter(o: InquirerPrompterOptions): Prompter {
  let prompts: Promise<Prompts> | undefined;
  const notices: string[] = [];
  const context = { input: o.input, output: o.output, clearPromptOnDone: false, ...(o.signal ? { signal: o.signal } : {}) };

  async function ask<T>(run: (p: Prompts) => Promise<T>): Promise<T> {
    o.beforeAsk?.();
    prompts ??= import('@inquirer/prompts');
    const p = await prompts;
    for (const line of coalesceNotices(notices.splice(0))) o.out.info(line);
    try {
      return await run(p);
    } catch (e) {
      const name = (e as Error | undefined)?.name;
      if (name === 'AbortPromptError' && o.signal?.aborted) throw new PromptInterruptedError(interruption(o.signal, 'at a prompt'));
      if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') throw new PromptInterruptedError();
      throw e;
    }
  }

  return {
    canPrompt: true,
    select<T extends string>(message: string, choices: SelectChoice<T>[], defaultValue?: T): Promise<T> {
      return ask((p) => p.select<T>({ message, choices, default: defaultValue, loop: false }, context));
    },
    confirm(message, defaultValue = false) {
      return ask((p) => p.confirm({ message, default: defaultValue }, context));
    },
    input(message, defaultValue, opts) {
      return ask((p) =>
        p.input(
          { message, default: defaultValue, required: defaultValue === undefined, ...(opts?.validate ? { validate: opts.validate } : {}) },
          context,
        ),
      );
    },
    checkbox(message, choices) {
      return ask((p) => p.checkbox({ message, choices: choices.map((c) => ({ value: c.value, name: c.name })), loop: false }, context));
    },
    notice(text) {
      notices.push(text);
    },
  };
}

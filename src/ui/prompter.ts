/**
 * The one prompt module. Every question goes through a Prompter: with a person
 * it asks (@inquirer/prompts, loaded lazily: ui/inquirer.ts); without one it
 * answers from --var / answers / defaults, or fails with a message naming the
 * flag to pass (ui/unattended.ts).
 */
export interface SelectChoice<T extends string = string> {
  value: T;
  name: string;
  description?: string;
}

export interface AskOptions {
  /** The --var name (and answers-file key) that answers this question without a person. */
  name?: string;
  /** For confirm: the step id this approval gates (named in the exit-3 message). */
  gate?: string;
  /** For input: true when the answer is acceptable, else the reason (the prompt refuses it and asks again). */
  validate?: (value: string) => true | string;
}

export interface Prompter {
  readonly canPrompt: boolean;
  select<T extends string>(message: string, choices: SelectChoice<T>[], defaultValue?: T, opts?: AskOptions): Promise<T>;
  confirm(message: string, defaultValue?: boolean, opts?: AskOptions): Promise<boolean>;
  input(message: string, defaultValue?: string, opts?: AskOptions): Promise<string>;
  checkbox(message: string, choices: SelectChoice[], opts?: AskOptions): Promise<string[]>;
  /** Show a line just before the next prompt (due reminders). */
  notice(text: string): void;
}

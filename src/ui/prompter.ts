/**
 * The one prompt module. Every question goes through a Prompter: with a person
 * it asks (@inquirer/prompts, loaded lazily); without one it answers from
 * --var / answers / defaults, or fails with a message naming the flag to pass.
 */
export interface SelectChoice<T extends string = string> {
  value: T;
  name: string;
  description?: string;
}

export interface Prompter {
  readonly canPrompt: boolean;
  select<T extends string>(message: string, choices: SelectChoice<T>[], defaultValue?: T): Promise<T>;
  confirm(message: string, defaultValue?: boolean): Promise<boolean>;
  input(message: string, defaultValue?: string): Promise<string>;
  checkbox(message: string, choices: SelectChoice[]): Promise<string[]>;
  /** Show a line just before the next prompt (due reminders). */
  notice(text: string): void;
}

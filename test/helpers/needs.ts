/**
 * Tests that need something a developer machine may lack (a PostgreSQL server,
 * Chromium, a Prometheus binary): in CI they must run, so a missing one is a
 * failing test that says what installs it; elsewhere they are skipped, saying
 * so and how to get it.
 */
import { describe, it } from 'vitest';

/** Whether this is a CI run: CI set to anything but '', '0' or 'false'. */
export function inCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export interface Need {
  /** Whether it is there. */
  present: boolean;
  /** What is needed, as the failing test in CI is named: `needs ${what}`. */
  what: string;
  /** The failure in CI: what is missing and what installs it. */
  missingInCI: string;
  /** The skip warning's reason and remedy, after `skipped "<suite>": `. */
  skipped: string;
}

/** describe() for tests that need `need`: run when it is there; failed in CI and skipped elsewhere when it is not. */
export function describeNeeding(need: Need, name: string, body: () => void): void {
  if (need.present) {
    describe(name, body);
    return;
  }
  if (inCI()) {
    describe(name, () => {
      it(`needs ${need.what}`, () => {
        throw new Error(need.missingInCI);
      });
    });
    return;
  }
  console.warn(`\n  skipped "${name}": ${need.skipped}\n`);
  describe.skip(name, body);
}

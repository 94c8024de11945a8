/**
 * Scheduled maintenance against the sandbox, whose adyen window starts an hour
 * into stripe's: `payctl maintenance` says the two overlap and hands over the
 * real window; the playbook's backup check catches the overlap and the window
 * in its messages is the one the status page announced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/run-cli.js';
import { sandboxProject, type SandboxProject } from '../helpers/sandbox-project.js';

let project: SandboxProject;
beforeAll(async () => {
  project = await sandboxProject();
});
afterAll(async () => project?.close());

const WORDS = /[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d\d:\d\d–\d\d:\d\d UTC/;

describe('maintenance windows that overlap', () => {
  it('payctl maintenance warns about the overlap and its hint carries the real window', async () => {
    const r = await runCliAsync(['maintenance', '--json'], { cwd: project.dir, env: project.env });
    expect(r.code).toBe(0);
    const windows = JSON.parse(r.stdout).windows as { provider: string; window: string; overlaps: string[]; hint: string }[];
    const stripe = windows.find((w) => w.provider === 'stripe')!;
    const adyen = windows.find((w) => w.provider === 'adyen')!;
    expect(stripe.window).toMatch(WORDS);
    expect(stripe.overlaps).toEqual([`adyen ${adyen.window}`]);
    expect(stripe.hint).toBe(
      `payctl incident start --playbook scheduled-maintenance --var provider=stripe --var "window=${stripe.window}"`,
    );
    const human = await runCliAsync(['maintenance'], { cwd: project.dir, env: project.env });
    expect(human.stdout).toContain(`⚠ stripe ${stripe.window} overlaps adyen ${adyen.window}`);
    expect(human.stdout).toContain(`→ ${stripe.hint}`);
  });

  it('the playbook catches a backup with maintenance in the same window, and the window defaults to the announced one', async () => {
    const m = JSON.parse((await runCliAsync(['maintenance', '--json'], { cwd: project.dir, env: project.env })).stdout);
    const stripe = m.windows.find((w: { provider: string }) => w.provider === 'stripe').window as string;
    const r = await runCliAsync(
      ['incident', 'start', '--playbook', 'scheduled-maintenance', '--var', 'provider=stripe', '--dry-run', '--yes'],
      {
        cwd: project.dir,
        env: project.env,
        timeout: 60_000,
      },
    );
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/adyen: operational \(indicator none\); its maintenance .* overlaps stripe /);
    expect(out).not.toMatch(/- The backup is not healthy or has maintenance in the same window; plan another way \(skipped/);
    expect(out).toContain(`stripe maintenance ${stripe}; traffic will move to adyen`);
  }, 90_000);
});

/**
 * shell: run a program with an argument list through execa, never through a
 * shell: a template value such as `$(rm -rf ~)` stays one literal argument.
 * Records the exit code and the tail of stdout/stderr (redacted when written).
 * `env:` values in `env` are read from the environment (and masked). In a dry
 * run the command is printed, not run (payctl cannot know whether it writes).
 */
import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import { resolveSecret } from '../secrets.js';
import { resolve } from 'node:path';

const TAIL_LINES = 20;
const TAIL_CHARS = 2000;

export function tail(text: string): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  const t = lines.slice(-TAIL_LINES).join('\n');
  return t.length > TAIL_CHARS ? '…' + t.slice(-TAIL_CHARS) : t;
}

export const shell: StepHandler<StepOf<'shell'>> = async (run) => {
  const { step } = run;
  const [file, ...args] = step.command;
  const expect = step.expect_exit ?? 0;
  if (run.dryRun) {
    run.log(`would run: ${JSON.stringify(step.command)}`);
    return { outcome: 'ok', result: { dry_run: true, command: step.command }, message: 'dry run: not run' };
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.env ?? {})) env[k] = resolveSecret(v, `step ${step.id}, env.${k}`, run.ctx.env);
  const { execa } = await import('execa');
  const r = await execa(file!, args, {
    cwd: step.cwd ? resolve(run.ctx.cwd, step.cwd) : run.ctx.cwd,
    env: { ...run.ctx.env, ...env },
    extendEnv: false,
    shell: false,
    reject: false,
    stdin: 'ignore',
    cancelSignal: run.signal,
    forceKillAfterDelay: 2000,
    maxBuffer: 10 * 1024 * 1024,
    stripFinalNewline: true,
  });
  const result = {
    command: step.command,
    exit_code: r.exitCode ?? null,
    ...(r.signal ? { signal: r.signal } : {}),
    stdout: tail(String(r.stdout ?? '')),
    stderr: tail(String(r.stderr ?? '')),
  };
  if (r.failed && r.exitCode === undefined) {
    const why = r.isCanceled ? 'cancelled' : r.code === 'ENOENT' ? `program not found: ${file}` : (r.shortMessage ?? 'could not run');
    return { outcome: 'failed', error: why, retryable: !r.isCanceled && r.code !== 'ENOENT', result };
  }
  if (r.exitCode !== expect) {
    return {
      outcome: 'failed',
      error: `${file} exited with ${r.exitCode} (expected ${expect})${result.stderr ? `: ${result.stderr.split('\n').pop()}` : ''}`,
      retryable: true,
      result,
    };
  }
  return { outcome: 'ok', result, message: `exit ${r.exitCode}` };
};

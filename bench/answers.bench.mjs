// Answers from the first command to traffic moved (mitigated) and verified on
// the backup, with a person at a pseudo-terminal who only presses Enter and y
// (issue 11: at most 4). Three runs each, against stripe down:
//   - payctl demo (its own sandbox)
//   - payctl incident start, no flags (the picker), against a sandbox process
//   - payctl incident start --playbook processor-outage
// For reference, before issue 11 the picker run took 12 answers and the
// --playbook run 6. The times (median, first output to the mitigated line) are
// for reference, not a limit.
import { mkdtempSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pty from 'node-pty';
import { median } from './lib.mjs';
import { startSandboxProcess } from './sandbox-process.mjs';

const bin = fileURLToPath(new URL('../bin/payctl.cjs', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 3);
const MITIGATED = /✔ Move card traffic to the backup processor/;
const VERIFIED = /✔ Wait until payments succeed on the backup/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequences are what is removed
const strip = (s) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/** One run: answer every prompt with Enter (y for a yes/no) until traffic is verified; then SIGINT. */
function drive(args, cwd, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = pty.spawn(process.execPath, [bin, ...args], {
      cwd,
      cols: 200,
      rows: 50,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', NO_COLOR: '1', PAYCTL_ACTOR: 'bench', ...env },
    });
    let screen = '';
    let exited = false;
    let done = false;
    const write = (keys) => {
      if (!exited && !done) p.write(keys);
    };
    let answered = 0;
    let answers = 0;
    let mitigated;
    let atMitigation;
    const timer = setTimeout(() => {
      p.kill();
      reject(new Error(`no verified traffic within 120 s:\n${strip(screen)}`));
    }, 120_000);
    p.onData((d) => {
      screen += d;
      const text = strip(screen);
      // a new open question: inquirer's "? <message>" not yet answered (its ✔ line not shown)
      const open = [...text.matchAll(/^\? (.*)$/gm)];
      if (open.length > answered) {
        const question = open.at(-1)[1];
        answered = open.length;
        answers++;
        setTimeout(() => write(/\((y\/N|Y\/n)\)/.test(question) ? 'y\r' : '\r'), 50);
      }
      if (mitigated === undefined && MITIGATED.test(text)) {
        mitigated = performance.now() - t0;
        atMitigation = answers;
      }
      if (VERIFIED.test(text)) {
        clearTimeout(timer);
        done = true;
        p.kill('SIGINT'); // the rest waits for stripe to recover: stop (saved, resumable)
        resolve({ answers: atMitigation, verified_after: answers, ms: mitigated });
      }
    });
    p.onExit(() => {
      exited = true;
      if (!VERIFIED.test(strip(screen))) {
        clearTimeout(timer);
        reject(new Error(`exited before traffic was verified:\n${strip(screen)}`));
      }
    });
  });
}

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-answers-'));
  cpSync(join(repo, 'playbooks'), join(dir, 'playbooks'), { recursive: true });
  cpSync(join(repo, 'templates'), join(dir, 'templates'), { recursive: true });
  return dir;
}

const rows = [];
async function measure(name, once) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once());
  rows.push({
    name,
    answers: Math.max(...results.map((r) => r.answers)),
    verified_after: Math.max(...results.map((r) => r.verified_after)),
    ms: median(results.map((r) => r.ms)),
  });
}

await measure('payctl demo', () => drive(['demo'], project(), {}));
for (const [name, args] of [
  ['payctl incident start (picker)', ['incident', 'start']],
  ['payctl incident start --playbook processor-outage', ['incident', 'start', '--playbook', 'processor-outage']],
]) {
  await measure(name, async () => {
    const dir = project();
    const sb = await startSandboxProcess({ dir, faults: 'stripe:down' });
    try {
      return await drive(args, dir, sb.env);
    } finally {
      sb.stop();
    }
  });
}

console.log(
  `\nanswers to mitigation with stripe down, Enter and y only (${runs} runs each; before issue 11: picker 12, --playbook 6; goal ≤ 4)`,
);
for (const r of rows)
  console.log(
    `  ${r.name.padEnd(52)} ${String(r.answers).padStart(2)} answers to traffic moved, ${r.verified_after} to verified  ${(r.ms / 1000).toFixed(1).padStart(5)} s${r.verified_after <= 4 ? '  ok' : '  OVER 4'}`,
  );
if (rows.some((r) => r.verified_after > 4)) process.exitCode = 1;

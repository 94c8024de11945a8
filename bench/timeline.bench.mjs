// Timeline: append rate with fsync (10,000 events); replay and `incident show --json`
// of a 100,000-event timeline (wall time and peak RSS; limit 1 s and 200 MB).
import { mkdtempSync, mkdirSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/payctl.cjs');
const { TimelineWriter } = await import(join(root, 'dist/timeline/writer.js'));

// 1. appending with fsync
{
  const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-'));
  const w = new TimelineWriter(join(dir, 'a', 'timeline.jsonl'), { actor: 'bench' });
  const N = Number(process.env.BENCH_EVENTS ?? 10_000);
  await w.append({ type: 'incident_opened', data: { id: 'a', title: 'bench', severity: 'sev2', dry_run: false, source: 'bench' } });
  const t0 = performance.now();
  for (let i = 1; i < N; i++) await w.append({ type: 'note_added', data: { text: `event ${i}` } });
  const s = (performance.now() - t0) / 1000;
  console.log(`append with fsync: ${N} events in ${s.toFixed(2)} s = ${Math.round(N / s)} events/s (${((s * 1000) / N).toFixed(2)} ms/event)`);
}

// 2. a 100,000-event timeline, written directly (valid chain), then replayed and shown
const project = mkdtempSync(join(tmpdir(), 'payctl-bench-'));
writeFileSync(join(project, 'payctl.config.yaml'), 'store: .payctl/incidents\n');
const id = '20260101-020000-beef';
mkdirSync(join(project, '.payctl/incidents', id), { recursive: true });
const file = join(project, '.payctl/incidents', id, 'timeline.jsonl');
{
  const M = 100_000;
  const fd = openSync(file, 'w');
  let prev = '0'.repeat(64);
  const t = Date.parse('2026-01-01T02:00:00Z');
  let buf = [];
  for (let i = 1; i <= M; i++) {
    const time = new Date(t + i * 100).toISOString();
    let ev;
    if (i === 1) ev = { seq: 1, time, actor: 'bench', type: 'incident_opened', data: { id, title: 'big', severity: 'sev1', playbook: 'x', dry_run: false, source: 'bench' }, prev };
    else if (i % 3 === 0) ev = { seq: i, time, actor: 'bench', type: 'step_started', step: `s${i % 500}`, data: { step_type: 'http', title: `Step ${i % 500}`, attempt: 1, idempotency_key: `payctl-${id}-s${i % 500}`, params: { method: 'POST', url: 'https://example.com/x' } }, prev };
    else if (i % 3 === 1) ev = { seq: i, time, actor: 'bench', type: 'step_completed', step: `s${(i - 1) % 500}`, data: { step_type: 'http', outcome: 'ok', result: { status: 200, method: 'POST' }, attempt: 1, duration_ms: 12 }, prev };
    else ev = { seq: i, time, actor: 'bench', type: 'note_added', data: { text: `note number ${i} about the outage` }, prev };
    const line = JSON.stringify(ev);
    prev = createHash('sha256').update(line).digest('hex');
    buf.push(line + '\n');
    if (buf.length === 5000) {
      writeSync(fd, buf.join(''));
      buf = [];
    }
  }
  if (buf.length) writeSync(fd, buf.join(''));
  closeSync(fd);
}

function measure(args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, ...args], { cwd: project, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, CI: '1' } });
  const last = r.stderr.trim().split('\n').pop();
  const [secs, kb] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return { ms: secs * 1000, mb: kb / 1024 };
}

const replayScript = `import(${JSON.stringify(join(root, 'dist/timeline/store.js'))}).then(({ replayFile }) => { const t0 = performance.now(); const { state } = replayFile(${JSON.stringify(file)}); const ms = performance.now() - t0; if (state.event_count !== 100000) process.exit(1); console.error('inner ' + ms.toFixed(0)); });`;
const runs = Number(process.env.BENCH_RUNS ?? 5);
const replay = [];
const show = [];
for (let i = 0; i < runs; i++) {
  replay.push(measure(['--input-type=module', '-e', replayScript]));
  show.push(measure([bin, 'incident', 'show', id, '--json']));
}
const report = (name, xs) => {
  const ms = median(xs.map((x) => x.ms));
  const mb = Math.max(...xs.map((x) => x.mb));
  console.log(`  ${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  peak ${mb.toFixed(0)} MB  ${ms < 1000 && mb < 200 ? 'ok' : 'OVER'} (limit 1000 ms, 200 MB)`);
};
console.log(`\n100,000-event timeline (median of ${runs} process runs, wall time incl. node start-up; peak RSS = max)`);
report('replay (node + replayFile)', replay);
report('payctl incident show --json', show);

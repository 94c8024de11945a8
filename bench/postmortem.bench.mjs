// Postmortem of a 100,000-event timeline (issue 5): under 1 s and under 200 MB peak.
// Generates a realistic mix (status checks, metric readings, waits, reminders,
// notes, notifications, escalations, a failover and a failback) with a correct
// hash chain in a temp store, then times `payctl postmortem <id>` against
// `node -e 0` (interleaved medians) and reads peak RSS with /usr/bin/time -f %M.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, printRatio, timeOnce } from './lib.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const runs = Number(process.env.BENCH_RUNS ?? 7);
const bin = fileURLToPath(new URL('../bin/payctl.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-pm-'));
const id = '20260314-020000-bench';
mkdirSync(join(dir, 'store', id), { recursive: true });
writeFileSync(join(dir, 'payctl.config.yaml'), 'store: store\nrouting: { primary: stripe, backups: [adyen] }\nbusiness: { average_order_value: 40, orders_per_minute: 200 }\n');

// --- generate
const start = Date.parse('2026-03-14T02:00:00Z');
const lines = [];
let prev = '0'.repeat(64);
let seq = 0;
let t = start;
const push = (type, data, step) => {
  seq++;
  const ev = { seq, time: new Date(t).toISOString(), actor: 'bench', type, ...(step ? { step } : {}), data, prev };
  const line = JSON.stringify(ev);
  prev = createHash('sha256').update(line).digest('hex');
  lines.push(line);
};
const started = (type, title, attempt) => ({ step_type: type, title, attempt, idempotency_key: `payctl-${id}-${type}` });
push('incident_opened', { id, title: 'Stripe down (bench)', severity: 'sev1', playbook: 'provider-outage', dry_run: false, source: 'incident start' });
push('milestone', { name: 'detected' });
push('milestone', { name: 'acknowledged' });
let attempt = 0;
let switched = false;
while (seq < EVENTS - 4) {
  attempt++;
  t += 1000;
  const k = attempt % 20;
  if (k < 8) {
    push('step_started', started('check_status', 'Check stripe', attempt), 'check');
    push('step_completed', { step_type: 'check_status', outcome: 'ok', attempt, duration_ms: 80, result: { provider: 'stripe', status: seq < EVENTS / 2 ? 'major_outage' : 'operational', indicator: 'major', components: [{ name: 'API', status: 'major_outage' }], incidents: [{ name: 'Elevated errors', status: 'investigating', created_at: new Date(start + 120_000).toISOString() }] } }, 'check');
  } else if (k < 15) {
    const v = seq < EVENTS / 3 ? 0.4 + (attempt % 7) / 100 : 0.98;
    push('step_started', started('query_metrics', 'Success rate', attempt), 'success');
    push('step_completed', { step_type: 'query_metrics', outcome: 'ok', attempt, duration_ms: 30, result: { metric: 'success_rate', value: v, at: new Date(t).toISOString() } }, 'success');
  } else if (k < 17) {
    push('step_started', started('wait', 'Wait for recovery', attempt), 'watch');
    push('step_completed', { step_type: 'wait', outcome: attempt % 40 === 16 ? 'failed' : 'ok', reason: 'timed out', attempt, duration_ms: 1000 }, 'watch');
  } else if (k === 17) {
    push('reminder_fired', { reminder: 'follow_up', message: 'Follow up with stripe' }, 'escalate');
  } else if (k === 18) {
    push('note_added', { text: `stripe support update ${attempt} | still investigating` });
  } else {
    push('step_started', started('notify', 'Team update', attempt), 'notify_team');
    push('step_completed', { step_type: 'notify', outcome: 'ok', attempt, duration_ms: 200, result: { template: 'team-update', channels: { slack: { ok: attempt % 60 !== 19, status: 200 } } } }, 'notify_team');
  }
  if (!switched && seq > 500) {
    switched = true;
    push('step_completed', { step_type: 'switch_provider', outcome: 'ok', attempt: 1, duration_ms: 300, result: { from: 'stripe', to: 'adyen', before: ['stripe', 'adyen'], after: ['adyen', 'stripe'], verified: true, failback: false } }, 'failover');
    push('milestone', { name: 'mitigated' });
    push('step_completed', { step_type: 'escalate', outcome: 'ok', attempt: 1, duration_ms: 300, result: { provider: 'stripe', action: 'trigger', dedup_key: 'k', channels: { pagerduty: { ok: true, status: 202 } } } }, 'escalate');
  }
}
push('step_completed', { step_type: 'switch_provider', outcome: 'ok', attempt: 1, duration_ms: 300, result: { from: 'adyen', to: 'stripe', before: ['adyen', 'stripe'], after: ['stripe', 'adyen'], verified: true, failback: true } }, 'failback');
push('milestone', { name: 'failed_back' });
push('status_changed', { from: 'monitoring', to: 'resolved' });
push('milestone', { name: 'resolved' });
writeFileSync(join(dir, 'store', id, 'timeline.jsonl'), lines.join('\n') + '\n');
const mb = (lines.join('\n').length / 1024 / 1024).toFixed(1);
console.log(`timeline: ${seq.toLocaleString('en-US')} events, ${mb} MB (${dir})`);

// --- time
const args = [bin, 'postmortem', id, '--out', join(dir, 'pm.md')];
const medians = interleaved(
  [
    { name: 'node -e 0', run: () => timeOnce(process.execPath, ['-e', '0'], { cwd: dir }) },
    { name: `payctl postmortem (${(seq / 1000).toFixed(0)}k events)`, run: () => timeOnce(process.execPath, args, { cwd: dir }) },
  ],
  runs,
);
printRatio(`postmortem (median of ${runs} interleaved runs)`, medians, 'node -e 0');
const ms = medians[`payctl postmortem (${(seq / 1000).toFixed(0)}k events)`];
let rssMb;
if (existsSync('/usr/bin/time')) {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { cwd: dir, encoding: 'utf8' });
  rssMb = Number(r.stderr.trim().split('\n').pop()) / 1024;
}
const okTime = ms < 1000;
const okRss = rssMb === undefined || rssMb < 200;
console.log(`  wall time ${ms.toFixed(0)} ms (limit 1000 ms): ${okTime ? 'ok' : 'OVER'}`);
console.log(`  peak RSS ${rssMb === undefined ? 'n/a (no /usr/bin/time)' : `${rssMb.toFixed(0)} MB`} (limit 200 MB): ${okRss ? 'ok' : 'OVER'}`);
if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
process.exit(okTime && okRss ? 0 : 1);

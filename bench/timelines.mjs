// A realistic incident timeline of any length with a correct hash chain
// (status checks, metric readings, waits, reminders, notes, notifications,
// an escalation, a failover and a failback), for the benchmarks.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes `file` (a timeline of about `EVENTS` events of incident `id`); returns its size in bytes and event count. */
export function writeTimeline(file, id, EVENTS, start = Date.parse('2026-03-14T02:00:00Z')) {
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
  push('incident_opened', {
    id,
    title: 'Stripe down (bench)',
    severity: 'sev1',
    playbook: 'provider-outage',
    dry_run: false,
    source: 'incident start',
  });
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
      push(
        'step_completed',
        {
          step_type: 'check_status',
          outcome: 'ok',
          attempt,
          duration_ms: 80,
          result: {
            provider: 'stripe',
            status: seq < EVENTS / 2 ? 'major_outage' : 'operational',
            indicator: 'major',
            components: [{ name: 'API', status: 'major_outage' }],
            incidents: [{ name: 'Elevated errors', status: 'investigating', created_at: new Date(start + 120_000).toISOString() }],
          },
        },
        'check',
      );
    } else if (k < 15) {
      const v = seq < EVENTS / 3 ? 0.4 + (attempt % 7) / 100 : 0.98;
      push('step_started', started('query_metrics', 'Success rate', attempt), 'success');
      push(
        'step_completed',
        {
          step_type: 'query_metrics',
          outcome: 'ok',
          attempt,
          duration_ms: 30,
          result: { metric: 'success_rate', value: v, at: new Date(t).toISOString() },
        },
        'success',
      );
    } else if (k < 17) {
      push('step_started', started('wait', 'Wait for recovery', attempt), 'watch');
      push(
        'step_completed',
        { step_type: 'wait', outcome: attempt % 40 === 16 ? 'failed' : 'ok', reason: 'timed out', attempt, duration_ms: 1000 },
        'watch',
      );
    } else if (k === 17) {
      push('reminder_fired', { reminder: 'follow_up', message: 'Follow up with stripe' }, 'escalate');
    } else if (k === 18) {
      push('note_added', { text: `stripe support update ${attempt} | still investigating` });
    } else {
      push('step_started', started('notify', 'Team update', attempt), 'notify_team');
      push(
        'step_completed',
        {
          step_type: 'notify',
          outcome: 'ok',
          attempt,
          duration_ms: 200,
          result: { template: 'team-update', channels: { slack: { ok: attempt % 60 !== 19, status: 200 } } },
        },
        'notify_team',
      );
    }
    if (!switched && seq > 500) {
      switched = true;
      push(
        'step_completed',
        {
          step_type: 'switch_provider',
          outcome: 'ok',
          attempt: 1,
          duration_ms: 300,
          result: { from: 'stripe', to: 'adyen', before: ['stripe', 'adyen'], after: ['adyen', 'stripe'], verified: true, failback: false },
        },
        'failover',
      );
      push('milestone', { name: 'mitigated' });
      push(
        'step_completed',
        {
          step_type: 'escalate',
          outcome: 'ok',
          attempt: 1,
          duration_ms: 300,
          result: { provider: 'stripe', action: 'trigger', dedup_key: 'k', channels: { pagerduty: { ok: true, status: 202 } } },
        },
        'escalate',
      );
    }
  }
  push(
    'step_completed',
    {
      step_type: 'switch_provider',
      outcome: 'ok',
      attempt: 1,
      duration_ms: 300,
      result: { from: 'adyen', to: 'stripe', before: ['adyen', 'stripe'], after: ['stripe', 'adyen'], verified: true, failback: true },
    },
    'failback',
  );
  push('milestone', { name: 'failed_back' });
  push('status_changed', { from: 'monitoring', to: 'resolved' });
  push('milestone', { name: 'resolved' });

  mkdirSync(dirname(file), { recursive: true });
  const text = lines.join('\n') + '\n';
  writeFileSync(file, text);
  return { bytes: text.length, events: seq };
}

/**
 * The floor for reading a timeline: one node process that reads the file,
 * parses each line and hashes it (a single pass), as `node -e` arguments.
 */
export function readFloorArgs(file) {
  const script = `const { readFileSync } = require('node:fs'); const { hash } = require('node:crypto');
const text = readFileSync(${JSON.stringify(file)}, 'utf8'); let n = 0;
for (const line of text.split('\\n')) { if (!line) continue; JSON.parse(line); hash('sha256', line); n++; }
if (n === 0) process.exit(1);`;
  return ['-e', script];
}

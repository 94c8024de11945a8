import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sha256, TimelineWriter } from '../../src/timeline/writer.js';
import { verifyTimeline } from '../../src/timeline/verify.js';
import { readTimelineFile } from '../../src/timeline/read.js';
import { replay } from '../../src/timeline/replay.js';
import { registerSecret, clearSecretsForTest } from '../../src/secrets.js';
import { runCli, tempProject } from '../engine/helpers.js';

const opened = (id: string) => ({
  type: 'incident_opened' as const,
  data: { id, title: 'T', severity: 'sev2' as const, dry_run: false, source: 'test' },
});

function tempTimeline(): string {
  return join(mkdtempSync(join(tmpdir(), 'payctl-tl-')), 'inc', 'timeline.jsonl');
}

describe('timeline writer', () => {
  it('chains events, redacts secrets, replays state', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    registerSecret('sk_live_supersecret');
    await w.append(opened('x'));
    await w.append({ type: 'note_added', data: { text: 'key is sk_live_supersecret' } });
    await w.append({
      type: 'step_started',
      step: 's',
      data: { step_type: 'http', title: 'S', attempt: 1, idempotency_key: 'k', params: { headers: { Authorization: 'Bearer zzz' } } },
    });
    clearSecretsForTest();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('supersecret');
    expect(text).not.toContain('Bearer zzz');
    expect(verifyTimeline(file)).toMatchObject({ ok: true, events: 3 });
    const t = readTimelineFile(file);
    expect(replay(t.events)!.steps.s!.status).toBe('started');
  });

  it('verify names the first edited line', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    await w.append(opened('x'));
    for (let i = 0; i < 5; i++) await w.append({ type: 'note_added', data: { text: `n${i}` } });
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('n1', 'N1');
    writeFileSync(file, lines.join('\n'));
    const r = verifyTimeline(file);
    expect(r.ok).toBe(false);
    expect(r.firstBadLine).toBe(3); // the edited line; line 4 still holds the hash of the original
    expect(r.message).toContain('line 3 was changed after it was written');
  });

  it('two processes appending at once: no corruption, chain verifies', async () => {
    const file = tempTimeline();
    await new TimelineWriter(file, { actor: 'a' }).append(opened('x'));
    const script = fileURLToPath(new URL('./append-worker.mjs', import.meta.url));
    const worker = (who: string) =>
      new Promise<number>((resolve) => {
        const p = spawn(process.execPath, [script, file, who, '150'], { stdio: 'inherit' });
        p.on('close', (c) => resolve(c ?? -1));
      });
    const codes = await Promise.all([worker('p1'), worker('p2')]);
    expect(codes).toEqual([0, 0]);
    const r = verifyTimeline(file);
    expect(r).toMatchObject({ ok: true, events: 301 });
    const t = readTimelineFile(file);
    expect(t.events.map((e) => e.seq)).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
  });

  it('a torn last line is reported and ignored by show, verify and resume; the next append cuts it off', async () => {
    const dir = tempProject({
      p: 'id: p\ntitle: P\nsteps:\n  - { id: a, type: set_status, title: A, status: identified }\n  - { id: b, type: set_status, title: B, status: resolved }\n',
    });
    const started = runCli(dir, ['incident', 'start', '-p', 'p', '--json']);
    const id = JSON.parse(started.stdout).incident;
    const file = join(dir, '.payctl/incidents', id, 'timeline.jsonl');
    // pretend the last run died mid-write of its final events
    const text = readFileSync(file, 'utf8').split('\n');
    const keep = text.slice(
      0,
      text.findIndex((l) => l.includes('"step":"b"')),
    );
    writeFileSync(file, keep.join('\n') + '\n' + '{"seq":99,"time":"2026');
    // a run that died mid-write had not yet recorded those events in the head (written after each fsync)
    rmSync(join(dir, '.payctl/incidents', id, 'timeline.head'));
    const show = runCli(dir, ['incident', 'show', id]);
    expect(show.code).toBe(0);
    expect(show.stderr).toContain('truncated last line');
    const v = runCli(dir, ['incident', 'verify', id]);
    expect(v.code).toBe(0);
    const resumed = runCli(dir, ['incident', 'resume', id, '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).status).toBe('resolved');
    expect(readFileSync(file + '.torn', 'utf8')).toBe('{"seq":99,"time":"2026');
    expect(runCli(dir, ['incident', 'verify', id]).code).toBe(0);
  });

  it('incident show --json copies each event line as stored, leaving out unreadable lines, and masks a webhook URL left in one', async () => {
    const dir = tempProject({ p: 'id: p\ntitle: P\nsteps:\n  - { id: a, type: set_status, title: A, status: identified }\n' });
    const id = JSON.parse(runCli(dir, ['incident', 'start', '-p', 'p', '--json']).stdout).incident;
    const file = join(dir, '.payctl/incidents', id, 'timeline.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    // a line written by hand (an older payctl that did not mask it), chained, with its keys spaced out
    const hook = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';
    const last = JSON.parse(lines.at(-1)!) as { seq: number };
    const manual = `{"seq": ${last.seq + 1}, "time": "2026-01-01T00:00:00.000Z", "actor": "someone", "type": "note_added", "data": {"text": "posted to ${hook}"}, "prev": "${sha256(lines.at(-1)!)}"}`;
    writeFileSync(file, [...lines, '{not json', manual].join('\n') + '\n');
    const show = runCli(dir, ['incident', 'show', id, '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stderr).toContain(`timeline.jsonl:${lines.length + 1}: not valid JSON; ignored`);
    const shown = JSON.parse(show.stdout);
    expect(shown.events).toHaveLength(lines.length + 1);
    for (const line of lines) expect(show.stdout).toContain(`\n    ${line}`);
    expect(shown.events.at(-1).data.text).toBe('posted to https://hooks.slack.com/***');
    expect(show.stdout).not.toContain('XXXXSECRET');
  });

  it('incident verify exits 1 on an edited line; note/status/resolve append from another process', async () => {
    const dir = tempProject({ p: 'id: p\ntitle: P\nsteps:\n  - { id: a, type: manual, title: A }\n' });
    const id = JSON.parse(runCli(dir, ['incident', 'start', '-p', 'p', '--json']).stdout).incident;
    expect(runCli(dir, ['incident', 'note', id, 'from another responder']).code).toBe(0);
    expect(runCli(dir, ['incident', 'status', id, 'monitoring']).code).toBe(0);
    expect(runCli(dir, ['incident', 'resolve', id]).code).toBe(0);
    const shown = JSON.parse(runCli(dir, ['incident', 'show', id, '--json']).stdout);
    expect(shown.incident.status).toBe('resolved');
    expect(shown.incident.notes[0].text).toBe('from another responder');
    expect(shown.events.at(-1).type).toBe('milestone');
    expect(runCli(dir, ['incident', 'list', '--status', 'open', '--json']).stdout.trim()).toBe('[]');
    const file = join(dir, '.payctl/incidents', id, 'timeline.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"detected"', '"mitigated"');
    writeFileSync(file, lines.join('\n'));
    const v = runCli(dir, ['incident', 'verify', id]);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('timeline.jsonl:2: line 2 was changed after it was written');
  });
});

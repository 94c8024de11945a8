/**
 * TimelineWriter.appendAll: several events under one lock, in one write and
 * one fsync, chained exactly as single appends.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TimelineWriter, sha256 } from '../../src/timeline/writer.js';
import { verifyTimeline } from '../../src/timeline/verify.js';
import { readTimelineFile } from '../../src/timeline/read.js';
import { registerSecret, clearSecretsForTest } from '../../src/secrets.js';
import { GENESIS } from '../../src/timeline/events.js';

const opened = (id: string) => ({
  type: 'incident_opened' as const,
  data: { id, title: 'T', severity: 'sev2' as const, dry_run: false, source: 'test' },
});
const note = (text: string) => ({ type: 'note_added' as const, data: { text } });

function tempTimeline(): string {
  return join(mkdtempSync(join(tmpdir(), 'payctl-batch-')), 'inc', 'timeline.jsonl');
}

const worker = (file: string, who: string, count: number, batch: number, go?: string) =>
  new Promise<number>((resolve) => {
    const script = fileURLToPath(new URL('./append-worker.mjs', import.meta.url));
    const p = spawn(process.execPath, [script, file, who, String(count), String(batch), ...(go ? [go] : [])], { stdio: 'inherit' });
    p.on('close', (c) => resolve(c ?? -1));
  });

describe('timeline writer: appendAll', () => {
  it('writes the same chain as single appends: own seq, prev = sha256 of the line before, redacted', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    registerSecret('sk_live_batchsecret');
    const first = await w.appendAll([opened('x'), note('one'), note('key sk_live_batchsecret')]);
    await w.append(note('single'));
    const second = await w.appendAll([note('two'), note('three')]);
    clearSecretsForTest();
    expect(first.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(second.map((e) => e.seq)).toEqual([5, 6]);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('batchsecret');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    lines.forEach((line, i) => {
      const e = JSON.parse(line) as { seq: number; prev: string };
      expect(e.seq).toBe(i + 1);
      expect(e.prev).toBe(i === 0 ? GENESIS : sha256(lines[i - 1]!));
    });
    // what appendAll returned is what was written
    expect(JSON.stringify(first[2])).toBe(lines[2]);
    expect(verifyTimeline(file)).toMatchObject({ ok: true, events: 6 });
    expect(existsSync(`${file}.lock`)).toBe(false); // the lock is a flock on the timeline itself
  });

  it('an empty batch writes nothing', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    expect(await w.appendAll([])).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('appendAll and append from one process are serialised in call order', async () => {
    const file = tempTimeline();
    const w = new TimelineWriter(file, { actor: 'a' });
    await Promise.all([
      w.append(opened('x')),
      w.appendAll([note('a1'), note('a2')]),
      w.append(note('b')),
      w.appendAll([note('c1'), note('c2')]),
    ]);
    const t = readTimelineFile(file);
    expect(t.events.map((e) => (e.type === 'note_added' ? e.data.text : e.type))).toEqual(['incident_opened', 'a1', 'a2', 'b', 'c1', 'c2']);
    expect(verifyTimeline(file)).toMatchObject({ ok: true, events: 6 });
  });

  it('two processes appending batches at once: each batch stays together, chain verifies', async () => {
    const file = tempTimeline();
    await new TimelineWriter(file, { actor: 'a' }).append(opened('x'));
    const go = `${file}.go`;
    const both = Promise.all([worker(file, 'p1', 100, 3, go), worker(file, 'p2', 100, 3, go)]);
    await new Promise((r) => setTimeout(r, 300)); // both workers loaded and waiting
    writeFileSync(go, '');
    expect(await both).toEqual([0, 0]);
    expect(verifyTimeline(file)).toMatchObject({ ok: true, events: 601 });
    const t = readTimelineFile(file);
    expect(t.events.map((e) => e.seq)).toEqual(Array.from({ length: 601 }, (_, i) => i + 1));
    const texts = t.events.slice(1).map((e) => (e.type === 'note_added' ? e.data.text : ''));
    for (let i = 0; i < texts.length; i += 3) {
      const [who, n] = texts[i]!.split(/[ .]/);
      expect(texts.slice(i, i + 3)).toEqual([0, 1, 2].map((k) => `${who} ${n}.${k}`));
    }
    // the two really took turns
    const switches = texts.filter((s, i) => i > 0 && s.split(' ')[0] !== texts[i - 1]!.split(' ')[0]).length;
    expect(switches).toBeGreaterThan(0);
  });

  it('a batch reaches the file in one write: another process never sees part of one', async () => {
    const file = tempTimeline();
    await new TimelineWriter(file, { actor: 'a' }).append(opened('x'));
    const BATCH = 4;
    const COUNT = 150;
    // size seen → whole lines in it
    const seen = new Map<number, number>();
    let done = false;
    const writing = worker(file, 'w', COUNT, BATCH).then((code) => {
      done = true;
      return code;
    });
    // poll the file as another reader would, while the writer appends its batches
    while (!done) {
      const bytes = readFileSync(file);
      seen.set(
        bytes.length,
        bytes
          .subarray(0, bytes.lastIndexOf(0x0a) + 1)
          .toString('utf8')
          .split('\n').length - 1,
      );
      await new Promise((r) => setImmediate(r));
    }
    expect(await writing).toBe(0);
    const growing = [...seen.values()].filter((n) => n > 1 && n < 1 + COUNT * BATCH);
    expect(growing.length, 'the poll caught the file growing several times').toBeGreaterThan(5);
    for (const [size, lines] of seen) {
      // Linux makes one write() visible page by page, so a reader may catch a single write at a page
      // boundary; anywhere else it grew by whole batches (a write per line would show up mid-batch)
      if (size % 4096 !== 0) expect((lines - 1) % BATCH, `${lines} lines (${size} bytes) seen`).toBe(0);
    }
    expect(verifyTimeline(file)).toMatchObject({ ok: true, events: 1 + COUNT * BATCH });
  });
});

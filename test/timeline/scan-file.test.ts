// The chunked file scan (a directory store's scan) gives the same events and
// problems (with the same line numbers) as the whole-file reader, across chunk
// boundaries; the raw lines (a directory store's lines()) are the file's.
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectInto, emptyReadTimeline, readRawLines, readTimelineFile, scanTimelineFile } from '../../src/timeline/read.js';

describe('scanTimelineFile', () => {
  it('matches readTimelineFile on a multi-megabyte timeline with bad lines and a torn end', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'payctl-load-')), 'timeline.jsonl');
    const lines: string[] = [];
    for (let i = 1; i <= 6000; i++) {
      // multi-byte characters straddle chunk boundaries; one line is longer than a chunk
      const text = `note ${i} ${'é✓'.repeat(i % 300)}${i === 3000 ? 'x'.repeat(200_000) : ''}`;
      lines.push(
        JSON.stringify({
          seq: i,
          time: '2026-03-14T02:00:00.000Z',
          actor: 'a',
          type: i === 1 ? 'incident_opened' : 'note_added',
          data: { text },
          prev: 'x'.repeat(64),
        }),
      );
      if (i === 2500) lines.push('{not json');
      if (i === 4000) lines.push('');
    }
    writeFileSync(file, lines.join('\n') + '\n');
    appendFileSync(file, '{"seq":6001,"time":"2026');
    const expected = readTimelineFile(file);
    const got = emptyReadTimeline();
    scanTimelineFile(file, collectInto(got));
    expect(got.events).toHaveLength(6000);
    expect(got.events.map((e) => (e.data as { text?: string }).text)).toEqual(
      expected.events.map((e) => (e.data as { text?: string }).text),
    );
    expect(got.lines).toEqual(expected.lines);
    expect(got.lineNumbers).toEqual(expected.lineNumbers);
    expect(got.problems).toEqual(expected.problems);
    expect(got.problems.map((p) => p.line)).toEqual([2501, 4002, 6003]);

    // the raw lines: every complete line as written, numbered alike, the torn last one left out
    const raw: string[] = [];
    readRawLines(file, (bytes, start, end, lineNo) => {
      raw.push(bytes.toString('utf8', start, end));
      expect(lineNo).toBe(raw.length);
    });
    expect(raw).toEqual(readFileSync(file, 'utf8').split('\n').slice(0, -1));
    expect(raw).toHaveLength(6002);
    expect(expected.lineNumbers.every((n, i) => raw[n - 1] === expected.lines[i])).toBe(true);
  });
});

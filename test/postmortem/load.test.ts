// The chunked loader used by the documents gives the same events and problems
// (with the same line numbers) as the timeline reader, across chunk boundaries.
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEventsChunked } from '../../src/postmortem/load.js';
import { readTimelineFile } from '../../src/timeline/read.js';

describe('readEventsChunked', () => {
  it('matches readTimelineFile on a multi-megabyte timeline with bad lines and a torn end', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'payctl-load-')), 'timeline.jsonl');
    const lines: string[] = [];
    for (let i = 1; i <= 6000; i++) {
      const text = `note ${i} ${'é✓'.repeat(i % 300)}`; // multi-byte characters straddle chunk boundaries
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
    const got = readEventsChunked(file);
    expect(got.events).toHaveLength(6000);
    expect(got.events.map((e) => (e.data as { text?: string }).text)).toEqual(
      expected.events.map((e) => (e.data as { text?: string }).text),
    );
    expect(got.problems).toEqual(expected.problems);
    expect(got.problems.map((p) => p.line)).toEqual([2501, 4002, 6003]);
  });
});

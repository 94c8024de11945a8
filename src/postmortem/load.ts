/**
 * Loading a timeline for the documents (postmortem, scorecard): the file is
 * read in chunks and parsed with the timeline's own line parser, keeping only
 * the events (not the raw text or each line), so a 100,000-event timeline
 * stays well under 200 MB. The `prev` hashes are blanked (documents do not
 * need them; `payctl incident verify` and export read the file themselves).
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parseTimeline, type TimelineProblem } from '../timeline/read.js';
import { replay } from '../timeline/replay.js';
import { loadIncident, timelinePath, type LoadedIncident } from '../timeline/store.js';
import { InvalidInputError } from '../errors.js';
import type { TimelineEvent } from '../timeline/events.js';

const CHUNK = 1 << 20;

export function readEventsChunked(file: string): { events: TimelineEvent[]; problems: TimelineProblem[] } {
  const events: TimelineEvent[] = [];
  const problems: TimelineProblem[] = [];
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineOffset = 0;
  const take = (text: string) => {
    const t = parseTimeline(text);
    for (const e of t.events) {
      // the hash chain is not needed here (payctl incident verify checks it): free its 64-character strings
      e.prev = '';
      events.push(e);
    }
    for (const p of t.problems) problems.push({ line: p.line + lineOffset, message: p.message });
    let n = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
    lineOffset += n;
  };
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      const text = carry + decoder.write(buf.subarray(0, n));
      const cut = text.lastIndexOf('\n');
      if (cut === -1) {
        carry = text;
        continue;
      }
      take(text.slice(0, cut + 1));
      carry = text.slice(cut + 1);
    }
    carry += decoder.end();
    if (carry) take(carry);
  } finally {
    closeSync(fd);
  }
  return { events, problems };
}

/** Like loadIncident (same errors for an unknown id), without keeping the raw lines. */
export function loadIncidentForDocuments(storeDir: string, id: string): LoadedIncident {
  const file = timelinePath(storeDir, id);
  if (!/^[A-Za-z0-9._-]+$/.test(id) || !existsSync(file)) return loadIncident(storeDir, id);
  const { events, problems } = readEventsChunked(file);
  const state = replay(events, problems);
  if (!state) throw new InvalidInputError(`${file}:1: the timeline does not begin with incident_opened; it is not a payctl timeline`);
  return { id, file, events, problems, state };
}

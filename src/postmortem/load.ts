/**
 * Loading a timeline for the documents (postmortem, scorecard): the file is
 * read in chunks and parsed with the timeline's own line parser, keeping only
 * the events (not the raw text or each line), so a 100,000-event timeline
 * stays well under 200 MB. The hash chain is checked on the way (a draft
 * warns when it is broken), then the `prev` hashes are blanked.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { scanTimeline, type TimelineProblem } from '../timeline/read.js';
import { ChainCheck, type VerifyReport } from '../timeline/verify.js';
import { replay } from '../timeline/replay.js';
import { loadIncident, timelinePath, type LoadedIncident } from '../timeline/store.js';
import { InvalidInputError } from '../errors.js';
import type { TimelineEvent } from '../timeline/events.js';

const CHUNK = 1 << 20;

export function readEventsChunked(file: string): { events: TimelineEvent[]; problems: TimelineProblem[]; chain: VerifyReport } {
  const events: TimelineEvent[] = [];
  const problems: TimelineProblem[] = [];
  // the hash chain is checked on the way (one sha256 per line), so a draft can say it was edited
  const chain = new ChainCheck();
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineOffset = 0;
  const take = (text: string) => {
    scanTimeline(Buffer.from(text, 'utf8'), {
      event(e, line, lineNo) {
        chain.event(e, line, lineNo + lineOffset);
        // the hashes are checked: free their 64-character strings
        e.prev = '';
        events.push(e);
      },
      problem(p) {
        const at = { line: p.line + lineOffset, message: p.message };
        chain.problem(at);
        problems.push(at);
      },
    });
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
  return { events, problems, chain: chain.report() };
}

/** Like loadIncident (same errors for an unknown id), without keeping the raw lines; with the hash-chain check. */
export function loadIncidentForDocuments(storeDir: string, id: string): LoadedIncident & { chain?: VerifyReport } {
  const file = timelinePath(storeDir, id);
  if (!/^[A-Za-z0-9._-]+$/.test(id) || !existsSync(file)) return loadIncident(storeDir, id);
  const { events, problems, chain } = readEventsChunked(file);
  const state = replay(events, problems);
  if (!state) throw new InvalidInputError(`${file}:1: the timeline does not begin with incident_opened; it is not a payctl timeline`);
  return { id, file, events, problems, state, chain };
}

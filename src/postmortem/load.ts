/**
 * Loading a timeline for the documents (postmortem, scorecard): the file is
 * read in chunks of bytes and parsed with the timeline's own line parser,
 * keeping only the events (not the raw text or each line), so a
 * 100,000-event timeline stays well under 200 MB. The hash chain is checked on the way (a draft
 * warns when it is broken), then the `prev` hashes are blanked.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { scanTimeline, type TimelineProblem } from '../timeline/read.js';
import { ChainCheck, type VerifyReport } from '../timeline/verify.js';
import { replay } from '../timeline/replay.js';
import { timelinePath, type LoadedIncident } from '../timeline/store.js';
import { loadIncident } from '../store/load.js';
import { DirectoryStore } from '../store/directory.js';
import type { Store } from '../store/store.js';
import { InvalidInputError } from '../errors.js';
import type { TimelineEvent } from '../timeline/events.js';

const CHUNK = 4 << 20;

/**
 * The events of a timeline file, read in chunks of bytes cut at the last
 * newline (each line is decoded once, by the line parser), with the hash
 * chain checked on the way (one sha256 of each line's bytes).
 */
export function readEventsChunked(
  file: string,
  opts: { verify?: boolean } = {},
): { events: TimelineEvent[]; problems: TimelineProblem[]; chain: VerifyReport } {
  const events: TimelineEvent[] = [];
  const problems: TimelineProblem[] = [];
  const chain = new ChainCheck();
  const verify = opts.verify !== false;
  let lineOffset = 0;
  const take = (bytes: Buffer) => {
    let last = 0;
    scanTimeline(bytes, {
      event(e, line, lineNo, raw) {
        if (verify) chain.event(e, line, lineNo + lineOffset, raw);
        // the hashes are checked: free their 64-character strings
        e.prev = '';
        events.push(e);
        last = lineNo;
      },
      problem(p) {
        const at = { line: p.line + lineOffset, message: p.message };
        chain.problem(at);
        problems.push(at);
        last = p.line;
      },
    });
    lineOffset += last;
  };
  const fd = openSync(file, 'r');
  try {
    // a short timeline (most of a store) gets a buffer its size, not a whole chunk
    let buf = Buffer.allocUnsafe(Math.max(1024, Math.min(CHUNK, fstatSync(fd).size + 1)));
    let kept = 0; // bytes of an unfinished line carried over from the previous chunk
    for (;;) {
      if (kept === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2); // one line longer than a chunk
        buf.copy(bigger, 0, 0, kept);
        buf = bigger;
      }
      const n = readSync(fd, buf, kept, buf.length - kept, null);
      const end = kept + n;
      if (n === 0) {
        if (end > 0) take(buf.subarray(0, end));
        break;
      }
      const cut = buf.lastIndexOf(0x0a, end - 1);
      if (cut === -1) {
        kept = end;
        continue;
      }
      take(buf.subarray(0, cut + 1));
      kept = end - cut - 1;
      // the unfinished line moves to the front (parsed events keep no part of the buffer)
      buf.copy(buf, 0, cut + 1, end);
    }
  } finally {
    closeSync(fd);
  }
  return { events, problems, chain: chain.report() };
}

/**
 * Like loadIncident (same errors for an unknown id), without keeping the raw
 * lines; with the hash-chain check unless `verify: false` (the scorecard,
 * which says nothing about edits, skips the hashing). A directory store's
 * file is read in chunks; another store's events are streamed.
 */
export async function loadIncidentForDocuments(
  store: Store,
  id: string,
  opts: { verify?: boolean } = {},
): Promise<LoadedIncident & { chain?: VerifyReport }> {
  if (!(store instanceof DirectoryStore)) return streamedForDocuments(store, id, opts);
  const file = timelinePath(store.dir, id);
  if (!/^[A-Za-z0-9._-]+$/.test(id)) return loadIncident(store, id);
  let read: ReturnType<typeof readEventsChunked>;
  try {
    read = readEventsChunked(file, opts);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return loadIncident(store, id); // names the incidents there are
    throw e;
  }
  const { events, problems, chain } = read;
  const state = replay(events, problems);
  if (!state) throw new InvalidInputError(`${file}:1: the timeline does not begin with incident_opened; it is not a payctl timeline`);
  return { id, file, events, problems, state, ...(opts.verify !== false ? { chain } : {}) };
}

async function streamedForDocuments(
  store: Store,
  id: string,
  opts: { verify?: boolean },
): Promise<LoadedIncident & { chain?: VerifyReport }> {
  const events: TimelineEvent[] = [];
  const problems: TimelineProblem[] = [];
  const verify = opts.verify !== false;
  const chain = new ChainCheck();
  await store.scan(id, {
    event(e, line, lineNo, raw) {
      if (verify) chain.event(e, line, lineNo, raw);
      e.prev = '';
      events.push(e);
    },
    problem(p) {
      chain.problem(p);
      problems.push(p);
    },
  });
  const state = replay(events, problems);
  if (!state)
    throw new InvalidInputError(`${store.where(id, 1)}: the timeline does not begin with incident_opened; it is not a payctl timeline`);
  const report = chain.report();
  return { id, file: store.where(id), events, problems, state, ...(verify ? { chain: report } : {}) };
}

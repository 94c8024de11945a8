/**
 * What the pages read from the store: an incident's view (scanned, or brought
 * up to date), the incidents the list shows, and the postmortem draft beside
 * a timeline (postmortem.md in the incident's directory of this machine's
 * store directory, where `payctl postmortem` writes it, whichever store holds
 * the timeline).
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../secrets.js';
import type { Store } from '../store/store.js';
import { isOpen } from '../timeline/replay.js';
import { incidentDir } from '../timeline/store.js';
import { IncidentView } from './incident-view.js';
import type { ListedIncidents, PostmortemFile } from './pages.js';

/** Incident ids as the stores accept them: no path separators, nothing to escape from a directory. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isIncidentId(text: string): boolean {
  return ID.test(text);
}

/** Open incidents listed (newest first); older ones are counted. */
export const OPEN_LIMIT = 50;
/** Closed incidents listed: the newest of the last RECENT_MS. */
export const RECENT_LIMIT = 20;
export const RECENT_MS = 7 * 86_400_000;
/** The start of a larger postmortem is shown. */
const POSTMORTEM_MAX_BYTES = 512 * 1024;

/** Apply the events `view` has not seen yet (all of them for a new view). */
export async function catchUp(store: Store, view: IncidentView): Promise<IncidentView> {
  const after = view.lastSeq;
  await store.scan(view.id, {
    event: (e) => {
      if (e.seq > after) view.apply(e);
    },
    problem: () => undefined,
  });
  return view;
}

/** The incident's view, or undefined when there is no such incident or it is not a payctl timeline. */
export async function loadView(store: Store, id: string): Promise<IncidentView | undefined> {
  if (!isIncidentId(id) || !(await store.head(id))) return undefined;
  const view = await catchUp(store, new IncidentView(id));
  return view.state() ? view : undefined;
}

/** The views behind the list, kept between renders and brought up to date by each incident's head. */
export class ListModel {
  private views = new Map<string, IncidentView>();

  constructor(private readonly store: Store) {}

  /** Up to date when its last event is the one the store lists (a full scan otherwise would cost as much as a head). */
  private async viewOf(id: string, updatedAt: string): Promise<IncidentView | undefined> {
    let view = this.views.get(id);
    if (!view || view.state()?.updated_at !== updatedAt) view = await catchUp(this.store, view ?? new IncidentView(id));
    return view.state() ? view : undefined;
  }

  async incidents(now: Date): Promise<ListedIncidents> {
    const rows = (await this.store.list()).reverse(); // newest first
    const open = rows.filter((r) => r.state && isOpen(r.state));
    const recent = rows
      .filter((r) => r.state && !isOpen(r.state) && now.getTime() - Date.parse(r.state.updated_at) <= RECENT_MS)
      .slice(0, RECENT_LIMIT);
    const shown = [...open.slice(0, OPEN_LIMIT), ...recent];
    const views = new Map<string, IncidentView>();
    for (const r of shown) {
      const v = await this.viewOf(r.id, r.state!.updated_at).catch(() => undefined);
      if (v) views.set(r.id, v);
    }
    this.views = views;
    const pick = (list: typeof rows) => list.flatMap((r) => views.get(r.id) ?? []);
    return {
      open: pick(open.slice(0, OPEN_LIMIT)),
      recent: pick(recent),
      more_open: Math.max(0, open.length - OPEN_LIMIT),
      unreadable: rows.filter((r) => !r.state).length + shown.filter((r) => !views.has(r.id)).length,
    };
  }
}

export function postmortemFile(storeDir: string, id: string): string {
  return join(incidentDir(storeDir, id), 'postmortem.md');
}

/** When the draft was last written (ms), or undefined when there is none. */
export function postmortemWritten(storeDir: string, id: string): number | undefined {
  try {
    return statSync(postmortemFile(storeDir, id)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The postmortem draft, redacted; undefined when none is written (or it cannot be read). */
export function readPostmortem(storeDir: string, id: string): PostmortemFile | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(postmortemFile(storeDir, id), 'r');
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    const buf = Buffer.alloc(Math.min(st.size, POSTMORTEM_MAX_BYTES));
    const n = readSync(fd, buf, 0, buf.length, 0);
    return {
      text: redact(buf.subarray(0, n).toString('utf8')),
      written_at: st.mtime.toISOString(),
      truncated: st.size > POSTMORTEM_MAX_BYTES,
    };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

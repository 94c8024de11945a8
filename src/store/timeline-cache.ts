/**
 * A directory store's cache of values derived from each incident's timeline
 * (<store>/.<name>.json: the listed states of `incident list`, the scorecard
 * parts of `providers report`), so that a command over 10,000 incidents reads
 * one file instead of 10,000 timelines.
 *
 * Each value is kept beside the size, mtime, ctime and inode its timeline had
 * when it was derived, and used only while the timeline still has all four:
 * an append always grows the file and moves its mtime and ctime, and a
 * rewrite, a truncation or a replaced file moves its ctime (which no one can
 * set back), so a changed timeline is derived again and the cache never
 * answers for a timeline it did not read. The stat is taken before the read:
 * an append between the two leaves an entry that no longer matches.
 *
 * The file is JSON Lines: a header with the version, then one line per
 * incident in id order, `["<id>", size, mtime, ctime, inode, value]`. A walk
 * reads it alongside the sorted incident directories, one line at a time, so
 * memory stays flat however many incidents there are. The new cache is
 * written (a temp file renamed over it) only when an entry changed: the lines
 * before the first change are copied as they were, the rest written as walked.
 *
 * The cache is only ever a shortcut: unreadable, of another version, or not
 * writable (a read-only store) it is ignored and the timelines are read. A
 * temp file left by a process killed mid-write is removed by a later walk.
 * An incident whose value cannot be derived (a broken timeline) is never kept.
 */
import { closeSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync, type Dirent, type Stats } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { TIMELINE_FILE } from '../timeline/store.js';
import type { Derived } from './store.js';

/** An incident's id, as the store makes them. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** An incident's line: its id, its timeline's mark, and the value. */
type Entry<V> = [id: string, size: number, mtime: number, ctime: number, ino: number, value: V];

export class TimelineCache<V> {
  private readonly file: string;
  private readonly header: string;

  /** `version` names the format and what is derived: a cache of another version is ignored (and replaced). */
  constructor(
    private readonly storeDir: string,
    name: string,
    version: number | string,
  ) {
    this.file = join(storeDir, `.${name}.json`);
    this.header = `${JSON.stringify({ version })}\n`;
  }

  /**
   * Each incident (a directory with a timeline; or those of `only`), oldest
   * first: its kept value while its timeline is unchanged, else what
   * `derive` makes of the timeline file; `derive` throwing gives the incident
   * with its error. Walking every incident keeps what was derived and drops
   * the entries of incidents gone; walking `only` some changes nothing.
   */
  async walk(
    derive: (file: string, id: string) => V | Promise<V>,
    visit: (d: Derived<V>) => void,
    only?: readonly string[],
  ): Promise<void> {
    const names = only
      ? [...new Set(only)].filter((n) => basename(n) === n && n !== '.' && n !== '..').sort()
      : incidentDirNames(this.storeDir);
    const kept = new KeptLines<V>(this.file, this.header);
    const out = only ? undefined : new NewCache<V>(this.file, this.header, kept);
    // the store directory is absolute and each name one component: joined without path.join (10,000 of them)
    const base = this.storeDir.endsWith(sep) ? this.storeDir : this.storeDir + sep;
    try {
      for (const id of names) {
        const file = `${base}${id}${sep}${TIMELINE_FILE}`;
        const st = statSync(file, { throwIfNoEntry: false });
        if (!st?.isFile()) continue; // no timeline yet: not an incident (yet)
        // entries before this id are of incidents gone: not kept
        let line = kept.peek();
        while (line && line.id < id) {
          out?.changed();
          kept.skip();
          line = kept.peek();
        }
        const entry = line?.id === id ? line : undefined;
        if (entry) kept.skip();
        const marked = entry && kept.entryOf(entry);
        if (marked && matches(marked, st)) {
          out?.same(entry!);
          visit({ id, value: marked[5] });
          continue;
        }
        let value: V;
        try {
          value = await derive(file, id);
        } catch (e) {
          if (entry) out?.changed(); // its entry is dropped
          visit({ id, error: e as Error });
          continue;
        }
        out?.changed();
        out?.add([id, st.size, st.mtimeMs, st.ctimeMs, st.ino, value]);
        visit({ id, value });
      }
      if (kept.peek()) out?.changed(); // incidents gone after the last one
      out?.finish();
    } finally {
      kept.close();
      out?.abandon();
    }
  }
}

function matches(e: Entry<unknown>, st: Stats): boolean {
  return e[1] === st.size && e[2] === st.mtimeMs && e[3] === st.ctimeMs && e[4] === st.ino;
}

interface KeptLine {
  id: string;
  /** The line as it is in the file, without its newline. */
  text: string;
  /** Where the next line begins in the file. */
  end: number;
}

/** The cache as it is, a line at a time (none when it is missing, torn at its header, or of another version). */
class KeptLines<V> {
  private fd: number | undefined;
  private buf = Buffer.allocUnsafe(64 * 1024);
  private from = 0; // the next unread byte in buf
  private to = 0; // the end of what buf holds
  private offset = 0; // where buf[0] is in the file
  private next: KeptLine | undefined;
  private ended = false;
  /** Whether the header matched: the file's lines are this version's. */
  readonly usable: boolean;

  constructor(file: string, header: string) {
    try {
      this.fd = openSync(file, 'r');
    } catch {
      // none yet, or not readable
    }
    this.usable = this.fd !== undefined && this.readLine() === header.slice(0, -1);
    if (this.usable) this.next = this.parse();
  }

  peek(): KeptLine | undefined {
    return this.next;
  }

  skip(): void {
    this.next = this.parse();
  }

  /**
   * The next line, its id read without parsing it (ids are plain: letters,
   * digits, dots, dashes); a torn or malformed line ends the cache there
   * (what follows is derived again).
   */
  private parse(): KeptLine | undefined {
    if (!this.usable || this.ended) return undefined;
    const text = this.readLine();
    const id = text?.startsWith('["') ? text.slice(2, text.indexOf('"', 2)) : '';
    if (text !== undefined && ID.test(id)) return { id, text, end: this.offset + this.from };
    this.ended = true;
    return undefined;
  }

  /** The line's entry, or undefined when it is not one (edited by hand): derived again. */
  entryOf(line: KeptLine): Entry<V> | undefined {
    try {
      const entry = JSON.parse(line.text) as Entry<V>;
      if (Array.isArray(entry) && entry.length === 6 && entry[0] === line.id) return entry;
    } catch {
      // torn by a full disk, or edited by hand
    }
    return undefined;
  }

  /** The next newline-terminated line, without its newline (undefined at the end or a torn last line). */
  private readLine(): string | undefined {
    for (;;) {
      const nl = this.buf.indexOf(0x0a, this.from);
      if (nl !== -1 && nl < this.to) {
        const line = this.buf.toString('utf8', this.from, nl);
        this.from = nl + 1;
        return line;
      }
      if (this.fd === undefined) return undefined;
      // move what is left to the front (growing the buffer for a line longer than it), then read more
      const left = this.to - this.from;
      if (left === this.buf.length) {
        const bigger = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(bigger, 0, this.from, this.to);
        this.buf = bigger;
      } else this.buf.copy(this.buf, 0, this.from, this.to);
      this.offset += this.from;
      this.from = 0;
      this.to = left;
      const n = readSync(this.fd, this.buf, this.to, this.buf.length - this.to, this.offset + this.to);
      if (n === 0) return undefined;
      this.to += n;
    }
  }

  /** The file's first `end` bytes written to `fd` (read from the file this reads, even if another walk has renamed a new one over it since). */
  copyTo(fd: number, end: number): void {
    if (this.fd === undefined) return;
    const chunk = Buffer.allocUnsafe(Math.min(end, 1024 * 1024));
    for (let at = 0; at < end; ) {
      const n = readSync(this.fd, chunk, 0, Math.min(chunk.length, end - at), at);
      if (n === 0) throw new Error(`the cache ended at byte ${at}`);
      writeSync(fd, chunk, 0, n);
      at += n;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * The cache being rewritten, started at the first change: the kept lines
 * before it copied as they were (they are the new cache's too), then each
 * entry as walked.
 */
class NewCache<V> {
  private readonly tmp: string;
  private fd: number | undefined;
  private failed = false;
  /** Where the kept lines not yet in the new cache begin (nothing has changed before it). */
  private copiedTo: number;

  constructor(
    private readonly file: string,
    private readonly header: string,
    private readonly kept: KeptLines<V>,
  ) {
    this.tmp = `${file}.${process.pid}.tmp`;
    this.copiedTo = kept.usable ? Buffer.byteLength(header) : 0;
  }

  /** An unchanged entry: its line stays where it is until something changes, then it is written as it was. */
  same(line: KeptLine): void {
    if (this.fd === undefined) this.copiedTo = line.end;
    else this.write(`${line.text}\n`);
  }

  /** Something differs from the kept cache: the new one is written from here on. */
  changed(): void {
    if (this.fd !== undefined || this.failed) return;
    try {
      this.fd = openSync(this.tmp, 'w');
      // the kept lines so far (header included), as they were; or a new header
      if (this.copiedTo > 0) this.kept.copyTo(this.fd, this.copiedTo);
      else writeSync(this.fd, this.header);
    } catch {
      this.fail();
    }
  }

  add(entry: Entry<V>): void {
    this.write(`${JSON.stringify(entry)}\n`);
  }

  private write(text: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, text);
    } catch {
      this.fail();
    }
  }

  /** The new cache in place of the old, if anything changed. */
  finish(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
      this.fd = undefined;
      renameSync(this.tmp, this.file);
    } catch {
      this.fail();
    }
  }

  /** A walk that failed half-way, or a write that did: no new cache. */
  abandon(): void {
    if (this.fd === undefined && !this.failed) return;
    this.fail();
  }

  /** A read-only store or a full disk: the answers are right all the same; the next walk derives again. */
  private fail(): void {
    this.failed = true;
    try {
      if (this.fd !== undefined) closeSync(this.fd);
    } catch {
      // closed already
    }
    this.fd = undefined;
    rmSync(this.tmp, { force: true });
  }
}

function incidentDirNames(storeDir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(storeDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  for (const d of entries) if (d.isFile() && TEMP.test(d.name)) removeIfAbandoned(join(storeDir, d.name));
  return entries
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** A cache being written: `.<name>.json.<pid>.tmp`. */
const TEMP = /^\.[a-z-]+\.json\.\d+\.tmp$/;
const ABANDONED_MS = 60_000;

/** A temp file left by a process killed while it wrote a cache (a write takes milliseconds): removed. */
function removeIfAbandoned(file: string): void {
  try {
    if (Date.now() - statSync(file).mtimeMs > ABANDONED_MS) rmSync(file, { force: true });
  } catch {
    // gone already, or a read-only store
  }
}

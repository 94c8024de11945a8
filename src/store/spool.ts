/**
 * The local spool of a database store: where an incident's events go while
 * the database cannot be reached, so the store going away never blocks
 * mitigation or loses an event. It is a directory store under
 * <local store>/.spool (each spooled incident a timeline.jsonl, fsync'd like
 * any), with a spool.json saying when spooling began. A process writing to a
 * spooled incident holds spool.flock on it; the spool is pushed (push.ts)
 * only when nobody does.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { asStorageError } from '../errors.js';
import { type Release, tryLockFile } from '../timeline/lock.js';
import { DirectoryStore } from './directory.js';
import type { AppenderOptions, IncidentAppender } from './store.js';

export interface SpoolMeta {
  incident: string;
  /** Whether the incident is known to exist in the database (else it was opened while spooling). */
  existing: boolean;
  since: string;
  host: string;
}

export class Spool {
  readonly store: DirectoryStore;

  constructor(readonly dir: string) {
    this.store = new DirectoryStore(dir);
  }

  /**
   * An appender into the spool for `id` (created, or continued), holding the
   * incident's spool lock for the rest of the process.
   */
  async appender(
    id: string,
    existing: boolean,
    opts: AppenderOptions,
  ): Promise<{ appender: IncidentAppender; file: string; release: Release }> {
    const incidentDir = join(this.dir, id);
    try {
      mkdirSync(incidentDir, { recursive: true });
    } catch (e) {
      throw asStorageError(e, incidentDir) ?? e;
    }
    // held while this process writes to it: nobody pushes it meanwhile
    const held = tryLockFile(join(incidentDir, 'spool.flock'), { incident: id });
    const release: Release = 'release' in held ? held.release : async () => undefined;
    const metaFile = join(incidentDir, 'spool.json');
    if (!existsSync(metaFile)) {
      const meta: SpoolMeta = { incident: id, existing, since: new Date().toISOString(), host: hostname() };
      writeFileSync(metaFile, JSON.stringify(meta) + '\n');
    }
    const appender = existsSync(join(incidentDir, 'timeline.jsonl'))
      ? await this.store.appender(id, opts)
      : await this.store.create(id, opts);
    return { appender, file: this.store.where(id), release };
  }

  /** The incidents waiting in the spool, with their event counts. */
  pending(): { id: string; meta: SpoolMeta; events: number }[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(this.dir, d.name, 'spool.json')))
      .map((d) => {
        const meta = JSON.parse(readFileSync(join(this.dir, d.name, 'spool.json'), 'utf8')) as SpoolMeta;
        const file = join(this.dir, d.name, 'timeline.jsonl');
        const events = existsSync(file)
          ? readFileSync(file, 'utf8')
              .split('\n')
              .filter((l) => l.trim()).length
          : 0;
        return { id: d.name, meta, events };
      });
  }

  /** The spool lock of an incident, when no process is writing to it. */
  claim(id: string): Release | undefined {
    const got = tryLockFile(join(this.dir, id, 'spool.flock'), { incident: id });
    return 'release' in got ? got.release : undefined;
  }

  /** Forget a pushed incident. */
  remove(id: string): void {
    rmSync(join(this.dir, id), { recursive: true, force: true });
  }
}

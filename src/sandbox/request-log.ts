/**
 * Every request the emulated APIs receive (control requests excepted), in
 * arrival order, capped so a long-running sandbox does not grow without bound.
 */
import type { RecordedRequest } from './http.js';

export interface RequestFilter {
  target?: string;
  /** Only requests whose path starts with this. */
  path?: string;
  method?: string;
  /** Only requests with seq greater than this. */
  after?: number;
}

export class RequestLog {
  private entries: RecordedRequest[] = [];
  private seq = 0;
  constructor(private readonly cap = 10_000) {}

  nextSeq(): number {
    return ++this.seq;
  }

  add(r: RecordedRequest): void {
    this.entries.push(r);
    if (this.entries.length > this.cap) this.entries.shift();
  }

  list(f: RequestFilter = {}): RecordedRequest[] {
    return this.entries
      .filter(
        (r) =>
          (f.target === undefined || r.target === f.target) &&
          (f.path === undefined || r.path.startsWith(f.path)) &&
          (f.method === undefined || r.method === f.method.toUpperCase()) &&
          (f.after === undefined || r.seq > f.after),
      )
      .map((r) => structuredClone(r));
  }

  count(): number {
    return this.entries.length;
  }

  /** Forget the entries; numbering goes on (so `after=<seq>` readers never see old numbers again). */
  clear(): void {
    this.entries = [];
  }

  /** Forget everything, numbering included (a fresh sandbox). */
  reset(): void {
    this.entries = [];
    this.seq = 0;
  }
}

/**
 * What a running thing sends, as it arrives (a stream's events, a process's
 * output lines), and a wait for the first one that matches: resolved as soon
 * as it is there, already or later, rejected after a timeout.
 */
export class Arrivals<T> {
  /** Everything so far, in the order it came. */
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  push(...items: T[]): void {
    this.items.push(...items);
    for (const w of this.waiters) w();
  }

  /** The first item that matches; after `ms`, an error starting `no matching <what> within <ms> ms` and then `seen()`. */
  waitFor(match: (item: T) => boolean, ms: number, what: string, seen: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.items.find(match);
        if (found === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching ${what} within ${ms} ms; ${seen()}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }
}

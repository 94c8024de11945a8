/** Time, injectable: tests pass a fixed or fake clock. */
export interface Clock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal!.reason);
      };
      // the listener goes when the sleep ends, so long waits on one signal do not pile them up
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A clock fixed at a time, for golden files; sleep() advances it without waiting. */
export function fixedClock(start: Date | string): Clock {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    sleep: async (ms) => {
      t += ms;
    },
  };
}

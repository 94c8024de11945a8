/** Waiting in a test for something another process or a timer brings about. */

/**
 * Checks `ok` every `every` ms (25 unless given) until it holds; throws after
 * `ms`, naming `what` (and what `seen` shows then, when given).
 */
export async function waitUntil(
  ok: () => boolean | Promise<boolean>,
  o: { ms: number; what: string; every?: number; seen?: () => string },
): Promise<void> {
  const deadline = Date.now() + o.ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${o.what}: not within ${o.ms} ms${o.seen ? `\n${o.seen()}` : ''}`);
    await new Promise((r) => setTimeout(r, o.every ?? 25));
  }
}

/**
 * Moving traffic to another provider, verified: the one implementation behind
 * the switch_provider step and `payctl failover` / `failback`.
 *
 *  1. refuse a target the config marks `enabled: false` (always), or whose
 *     status page shows major_outage (unless force); that page is only a
 *     safety check: one short attempt (TARGET_STATUS_MS, no retries), and
 *     when it cannot be read the switch goes on, the failure recorded in the
 *     result (target_status_error) and shown;
 *  2. take the routing target's lock (timeline/lock.ts; not in a dry run):
 *     one writer to a routing at a time, across incidents and processes. A
 *     run that had to wait for another holder re-reads the routing and is
 *     refused (the other incident changed it) unless the target is already
 *     first;
 *  3. read the routing (before; at the same time as that status page);
 *     nothing to do when the target is already first;
 *  4. write the new order with the idempotency key (dry run: printed only);
 *  5. read it back (still holding the lock, so the order read is this run's); when the target is not first, roll back to the order read
 *     before — asked when a person can be asked, automatic otherwise.
 */
import { messageOf } from '../errors.js';
import type { Config } from '../config/schema.js';
import type { Prompter } from '../ui/prompter.js';
import type { SwitchProviderResult } from '../timeline/results.js';
import type { HttpClient } from './http.js';
import { createRouting, type Routing } from './routing/index.js';
import { checkProviderStatus, knownProvider } from './provider-status.js';
import { describeHolder, type LockHolder, type StoreLocks } from '../timeline/lock.js';

/** How long a switch waits for another switch of the same routing (a read, a write and a read-back). */
const ROUTING_LOCK_WAIT_MS = 30_000;

export interface SwitchDeps {
  config: Config;
  http: HttpClient;
  env: NodeJS.ProcessEnv;
  /** Progress lines for the person (stderr). */
  log: (text: string) => void;
  prompter?: Prompter;
  signal?: AbortSignal;
  /** Tests may hand in a routing adapter; otherwise the configured one. */
  routing?: Routing;
  /** The store's locks and the incident switching: changes to one routing are serialized. */
  locks?: StoreLocks;
  incident?: string;
}

export interface SwitchOptions {
  to: string;
  from?: string;
  force?: boolean;
  /** Idempotency key of the write (stable over retries and resume). */
  key: string;
  dryRun: boolean;
}

export interface SwitchResult extends SwitchProviderResult {
  target_status?: string;
  /** The target's status page could not be read (the switch went on without it). */
  target_status_error?: string;
}

/** The target's status page read before a switch: one attempt, at most this long. */
export const TARGET_STATUS_MS = 3_000;

export type SwitchOutcome =
  | { ok: true; result: SwitchResult; message: string }
  /** refused: turned down before anything was written (the routing is as it was). */
  | { ok: false; result?: SwitchResult; error: string; retryable: boolean; refused?: boolean };

export async function switchTraffic(deps: SwitchDeps, o: SwitchOptions): Promise<SwitchOutcome> {
  const { config, log } = deps;
  const target = knownProvider(config, o.to);
  if (o.from) knownProvider(config, o.from);
  const failback = o.to === config.routing?.primary;
  if (o.from !== undefined && o.from === o.to) {
    return {
      ok: false,
      retryable: false,
      refused: true,
      error: `cannot move traffic from ${o.to} to itself: choose a different backup than the failing provider`,
    };
  }
  if (target.enabled === false) {
    return { ok: false, retryable: false, refused: true, error: `refusing to move traffic to ${o.to}: the config marks it enabled: false` };
  }

  const routing =
    deps.routing ??
    (await createRouting({ config, http: deps.http, env: deps.env, dryRun: o.dryRun, log, timeoutMs: deps.http.timeoutMs }));
  const lock = o.dryRun || !deps.locks ? undefined : await deps.locks.routing(routing.describe, deps.incident ?? '', ROUTING_LOCK_WAIT_MS);
  if (lock && 'holder' in lock) return refusedByOther(routing, o.to, failback, lock.holder, deps.signal);
  try {
    if (lock?.contended) {
      // another incident changed this routing while this run waited: its intent may no longer hold
      const now = await routing.read(deps.signal);
      if (now[0] !== o.to) return refusedByOther(routing, o.to, failback, lock.contended, deps.signal, now);
    }
    return await switchHolding(deps, o, routing, target.statuspage !== undefined);
  } finally {
    await lock?.release();
  }
}

/** The loser of two switches of one routing: exit 1, naming the other incident and where traffic goes now. */
async function refusedByOther(
  routing: Routing,
  to: string,
  failback: boolean,
  other: LockHolder,
  signal?: AbortSignal,
  now?: string[],
): Promise<SwitchOutcome> {
  let order = now;
  try {
    order ??= await routing.read(signal);
  } catch {
    // said as unknown below
  }
  const who = other.incident ? `incident ${other.incident}${describeHolder(other)}` : `another payctl${describeHolder(other)}`;
  const where = order
    ? `it now sends traffic to ${order[0] ?? 'nobody'} (${order.join(' → ') || 'empty'})`
    : 'what it is now could not be read';
  return {
    ok: false,
    retryable: false,
    refused: true,
    ...(order ? { result: { from: order[0] ?? null, to, before: order, after: order, verified: false, failback } } : {}),
    error: `${who} changed ${routing.describe} at the same time, so traffic was not moved to ${to}: ${where}; run again if ${to} should still take it`,
  };
}

async function switchHolding(deps: SwitchDeps, o: SwitchOptions, routing: Routing, hasStatusPage: boolean): Promise<SwitchOutcome> {
  const { config, log } = deps;
  const primary = config.routing?.primary;
  // The target's status page and the routing are read at the same time (both are reads; a refusal wins over a failed read).
  const [status, current] = await Promise.allSettled([
    hasStatusPage
      ? checkProviderStatus(deps.http.withLimits({ retries: 0, timeoutMs: TARGET_STATUS_MS }), config, o.to, deps.signal)
      : Promise.resolve(undefined),
    routing.read(deps.signal),
  ]);
  const statusError = status.status === 'rejected' ? messageOf(status.reason) : undefined;
  if (statusError) log(`warning: could not read ${o.to}'s status page (${statusError}); switching without it`);
  const targetStatus = status.status === 'fulfilled' ? status.value?.status : undefined;
  if (targetStatus === 'major_outage' && !o.force) {
    return {
      ok: false,
      retryable: false,
      refused: true,
      error: `refusing to move traffic to ${o.to}: its status page shows major_outage (use force: true, or --force, to switch anyway)`,
    };
  }
  if (current.status === 'rejected') throw current.reason;
  const before = current.value;
  const from = o.from ?? before[0] ?? null;
  const base = {
    from,
    to: o.to,
    before,
    failback: o.to === primary,
    ...(targetStatus ? { target_status: targetStatus } : {}),
    ...(statusError ? { target_status_error: statusError } : {}),
  };

  if (before[0] === o.to) {
    return {
      ok: true,
      result: { ...base, after: before, verified: true, unchanged: true },
      message: `traffic already goes to ${o.to} (${routing.describe}); nothing to change`,
    };
  }
  if (o.from && before[0] !== undefined && before[0] !== o.from) {
    return {
      ok: false,
      retryable: false,
      refused: true,
      result: { ...base, after: before, verified: false },
      error: `traffic goes to ${before[0]}, not ${o.from}: nothing was changed (leave out from/--from to move traffic away from whichever provider has it)`,
    };
  }
  const order = [o.to, ...before.filter((p) => p !== o.to)];
  if (o.dryRun) {
    log(`[dry-run] would switch ${routing.describe}: ${before.join(' → ') || '(empty)'}  ⇒  ${order.join(' → ')}`);
    await routing.write(order, o.key, deps.signal);
    return {
      ok: true,
      result: { ...base, after: order, verified: false, dry_run: true },
      message: `dry run: traffic would move from ${from ?? 'nowhere'} to ${o.to}`,
    };
  }

  log(`switching ${routing.describe}: ${before.join(' → ')}  ⇒  ${order.join(' → ')}`);
  await routing.write(order, o.key, deps.signal);
  const after = await routing.read(deps.signal);
  if (after[0] === o.to) {
    return {
      ok: true,
      result: { ...base, after, verified: true },
      message: `traffic moved from ${from ?? 'nowhere'} to ${o.to}, verified by reading the routing back`,
    };
  }

  const mismatch = `routing read-back disagrees with the write: asked for ${o.to} first, ${routing.describe} reports ${after.join(' → ') || '(empty)'}`;
  log(mismatch);
  let rollBack = true;
  if (deps.prompter?.canPrompt) {
    rollBack = await deps.prompter.confirm(`Roll the routing back to ${before.join(' → ')}?`, true);
  }
  if (!rollBack) {
    return {
      ok: false,
      retryable: false,
      result: { ...base, after, verified: false, rolled_back: false },
      error: `${mismatch}; not rolled back`,
    };
  }
  try {
    await routing.write(before, `${o.key}-rollback`, deps.signal);
    const restored = await routing.read(deps.signal);
    const rolledBack = restored[0] === before[0];
    return {
      ok: false,
      retryable: false,
      result: { ...base, after: restored, verified: false, rolled_back: rolledBack },
      error: rolledBack
        ? `${mismatch}; rolled back to ${before.join(' → ')}`
        : `${mismatch}; the rollback did not take either (now ${restored.join(' → ')}): check the routing by hand`,
    };
  } catch (e) {
    return {
      ok: false,
      retryable: false,
      result: { ...base, after, verified: false, rolled_back: false },
      error: `${mismatch}; the rollback failed: ${messageOf(e)}`,
    };
  }
}

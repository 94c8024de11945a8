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
 *     with `share` below 100, or while the routing is split, the new shares
 *     instead: `share` percent to the target, the rest kept on the provider
 *     that had the most traffic before (routing/split.ts);
 *  5. read it back (still holding the lock, so the order read is this run's); when the target is not first
 *     (or the shares read are not the ones written), roll back to what was read before — asked when a
 *     person can be asked, automatic otherwise.
 * A share below 100 on an adapter that cannot split is refused before anything is read or written.
 */
import { messageOf } from '../errors.js';
import type { Config } from '../config/schema.js';
import type { Prompter } from '../ui/prompter.js';
import type { SwitchProviderResult } from '../timeline/results.js';
import type { HttpClient } from './http.js';
import { cannotSplit, createRouting, readSplit, type Routing } from './routing/index.js';
import { describeSplit, leader, sameSplit, shareOf, splitFor, whole, type Split } from './routing/split.js';
import { InvalidInputError } from '../errors.js';
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
  /** Percent of traffic for the target, 1..100 (default 100: all of it). */
  share?: number;
}

/** A share below 100 needs an adapter that can split: refused (exit 2) before anything is touched. */
export function checkShare(config: Config, share: number | undefined): void {
  if (share === undefined || share === 100) return;
  if (!Number.isInteger(share) || share < 1 || share > 100)
    throw new InvalidInputError(
      `share ${share} is not a whole percent from 1 to 100`,
      'e.g. --share 90 (90% to the target, the rest kept where it is)',
    );
  const why = cannotSplit(config);
  if (why)
    throw new InvalidInputError(
      `cannot send ${share}% of traffic: ${why}`,
      'configure routing.adapter.split (docs/providers.md, "Shares"), or move all traffic (share 100)',
    );
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
  checkShare(config, o.share);
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
  const share = o.share ?? 100;
  const splitBefore: Split | undefined = routing.split ? await routing.split.read(deps.signal) : undefined;
  const from = o.from ?? (splitBefore ? leader(splitBefore.filter((x) => x.provider !== o.to)) : undefined) ?? before[0] ?? null;
  const rest = splitBefore?.filter((x) => x.provider !== o.to)[0]?.provider ?? before.find((p) => p !== o.to);
  const wanted = splitFor(o.to, share, o.from ?? rest);
  // shares are written when asked for, or when the routing is split now (an order alone would not end the split)
  const bySplit =
    routing.split !== undefined &&
    (share < 100 || (splitBefore !== undefined && !sameSplit(splitBefore, whole(splitBefore[0]?.provider ?? ''))));
  const base = {
    from,
    to: o.to,
    before,
    // a share of traffic back on the primary is a canary stage, not the failback
    failback: o.to === primary && share === 100,
    ...(share < 100 ? { share } : {}),
    ...(splitBefore ? { split_before: splitBefore } : {}),
    ...(targetStatus ? { target_status: targetStatus } : {}),
    ...(statusError ? { target_status_error: statusError } : {}),
  };
  const what = share < 100 ? `${share}% of traffic` : 'traffic';

  if (bySplit ? sameSplit(splitBefore!, wanted) : before[0] === o.to) {
    return {
      ok: true,
      result: { ...base, after: before, verified: true, unchanged: true, ...(splitBefore ? { split_after: splitBefore } : {}) },
      message:
        share < 100
          ? `${routing.describe} already sends ${describeSplit(wanted)}; nothing to change`
          : `traffic already goes to ${o.to} (${routing.describe}); nothing to change`,
    };
  }
  const fromHasNone = splitBefore ? shareOf(splitBefore, o.from ?? '') === 0 : before[0] !== o.from;
  if (o.from && before[0] !== undefined && fromHasNone) {
    return {
      ok: false,
      retryable: false,
      refused: true,
      result: { ...base, after: before, verified: false },
      error: `traffic goes to ${before[0]}, not ${o.from}: nothing was changed (leave out from/--from to move traffic away from whichever provider has it)`,
    };
  }
  const order = [o.to, ...before.filter((p) => p !== o.to)];
  const now = bySplit && splitBefore ? describeSplit(splitBefore) : before.join(' → ') || '(empty)';
  const next = bySplit ? describeSplit(wanted) : order.join(' → ');
  const write = (key: string) => (bySplit ? routing.split!.write(wanted, o.to, key, deps.signal) : routing.write(order, key, deps.signal));
  if (o.dryRun) {
    log(`[dry-run] would switch ${routing.describe}: ${now}  ⇒  ${next}`);
    await write(o.key);
    return {
      ok: true,
      result: { ...base, after: order, verified: false, dry_run: true, ...(bySplit ? { split_after: wanted } : {}) },
      message: `dry run: ${what} would move from ${from ?? 'nowhere'} to ${o.to}`,
    };
  }

  log(`switching ${routing.describe}: ${now}  ⇒  ${next}`);
  await write(o.key);
  const after = await routing.read(deps.signal);
  const splitAfter = routing.split ? await readSplit(routing, deps.signal) : undefined;
  const took = bySplit ? sameSplit(splitAfter!, wanted) : after[0] === o.to;
  const afterFields = { after, ...(splitAfter ? { split_after: splitAfter } : {}) };
  if (took) {
    return {
      ok: true,
      result: { ...base, ...afterFields, verified: true },
      message: `${what} moved from ${from ?? 'nowhere'} to ${o.to}${bySplit ? ` (${describeSplit(wanted)})` : ''}, verified by reading the routing back`,
    };
  }

  const mismatch = bySplit
    ? `routing read-back disagrees with the write: asked for ${describeSplit(wanted)}, ${routing.describe} reports ${describeSplit(splitAfter ?? [])}`
    : `routing read-back disagrees with the write: asked for ${o.to} first, ${routing.describe} reports ${after.join(' → ') || '(empty)'}`;
  log(mismatch);
  let rollBack = true;
  if (deps.prompter?.canPrompt) {
    rollBack = await deps.prompter.confirm(`Roll the routing back to ${now}?`, true);
  }
  if (!rollBack) {
    return {
      ok: false,
      retryable: false,
      result: { ...base, ...afterFields, verified: false, rolled_back: false },
      error: `${mismatch}; not rolled back`,
    };
  }
  try {
    const restoreBySplit = bySplit && splitBefore !== undefined;
    if (restoreBySplit) await routing.split!.write(splitBefore, leader(splitBefore) ?? o.to, `${o.key}-rollback`, deps.signal);
    else await routing.write(before, `${o.key}-rollback`, deps.signal);
    const restored = await routing.read(deps.signal);
    const restoredSplit = routing.split ? await readSplit(routing, deps.signal) : undefined;
    const rolledBack = restoreBySplit ? sameSplit(restoredSplit!, splitBefore) : restored[0] === before[0];
    const nowDesc = restoreBySplit && restoredSplit ? describeSplit(restoredSplit) : restored.join(' → ');
    return {
      ok: false,
      retryable: false,
      result: {
        ...base,
        after: restored,
        ...(restoredSplit ? { split_after: restoredSplit } : {}),
        verified: false,
        rolled_back: rolledBack,
      },
      error: rolledBack
        ? `${mismatch}; rolled back to ${now}`
        : `${mismatch}; the rollback did not take either (now ${nowDesc}): check the routing by hand`,
    };
  } catch (e) {
    return {
      ok: false,
      retryable: false,
      result: { ...base, ...afterFields, verified: false, rolled_back: false },
      error: `${mismatch}; the rollback failed: ${messageOf(e)}`,
    };
  }
}

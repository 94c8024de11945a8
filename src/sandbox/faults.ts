/**
 * Fault injection: parsing `<target>:<kind>[:<heal-after>]` specs and the book
 * of active faults. Several specs may be joined with commas
 * (`stripe:down,slack:errors`).
 *
 * A target holds at most one fault per slot; a new fault replaces the old one
 * in its slot:
 *   - condition (providers only): down, degraded, maintenance, declines, rate_limit,
 *     silent, early_recovery=<duration> — what the provider's status page and
 *     the traffic simulation show (silent and early_recovery are the status
 *     page lying: payments fail while it says operational);
 *   - response (any target): errors, rate_limit (API targets), hang, garbage,
 *     stale (hyperswitch), nan (prometheus) — how the emulated HTTP API answers;
 *   - latency (any target): latency=<duration>, added before answering.
 * Auto-heal timers are unref'd: they never keep the process alive.
 */
import { InvalidInputError } from '../errors.js';
import { formatDuration, parseDuration } from '../duration.js';

export const API_TARGETS = ['slack', 'statuspage', 'pagerduty', 'hyperswitch', 'prometheus', 'webhook'] as const;

export type ConditionKind = 'down' | 'degraded' | 'maintenance' | 'declines' | 'rate_limit' | 'silent' | 'early_recovery';
export type ResponseKind = 'errors' | 'rate_limit' | 'hang' | 'garbage' | 'stale' | 'nan';
export type FaultKind = ConditionKind | ResponseKind | 'latency';
export type FaultSlot = 'condition' | 'response' | 'latency';

export interface Fault {
  id: number;
  /** The spec this fault came from, normalised (e.g. `stripe:down:8s`). */
  spec: string;
  target: string;
  kind: FaultKind;
  slot: FaultSlot;
  /** latency=<duration> */
  latencyMs?: number;
  /** errors=<n> / rate_limit=<n> on API targets: only the next n requests fail. */
  remaining?: number;
  /** early_recovery=<duration>: how long the status page admits the outage before declaring recovery. */
  admittedForMs?: number;
  /** garbage=html|truncated (default html for status pages, truncated elsewhere). */
  garbage?: 'html' | 'truncated';
  healAfterMs?: number;
  injectedAt: string;
  healsAt?: string;
  healedAt?: string;
}

export type ParsedFault = Omit<Fault, 'id' | 'injectedAt' | 'healsAt' | 'healedAt'>;

const CONDITIONS: readonly string[] = ['down', 'degraded', 'maintenance', 'declines', 'rate_limit', 'silent'];
const SPEC_HINT =
  'write <target>:<kind>[:<heal-after>], e.g. stripe:down, stripe:down:8s, slack:errors, pagerduty:latency=200ms (see docs/sandbox.md)';

function bad(spec: string, why: string): never {
  throw new InvalidInputError(`invalid fault "${spec}": ${why}`, SPEC_HINT);
}

/** Parse one or more comma-separated fault specs. `providers` are the emulated provider names. */
export function parseFaultSpecs(input: string, providers: readonly string[]): ParsedFault[] {
  const specs = input
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (specs.length === 0) bad(input, 'it is empty');
  return specs.map((s) => parseFaultSpec(s, providers));
}

export function parseFaultSpec(spec: string, providers: readonly string[]): ParsedFault {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) bad(spec, 'expected two or three parts separated by ":"');
  const [target, kindText, healText] = parts as [string, string, string | undefined];
  const isProvider = providers.includes(target);
  if (!isProvider && !(API_TARGETS as readonly string[]).includes(target)) {
    bad(spec, `unknown target "${target}" (targets: ${[...providers, ...API_TARGETS].join(', ')})`);
  }
  let healAfterMs: number | undefined;
  if (healText !== undefined) {
    healAfterMs = parseDuration(healText);
    if (healAfterMs === undefined) bad(spec, `"${healText}" is not a duration for heal-after (e.g. 8s, 2m)`);
  }
  const [kind, param] = kindText.split('=', 2) as [string, string | undefined];
  const base = { target, healAfterMs, spec: '' };
  let f: ParsedFault;
  if (kind === 'latency') {
    const ms = param === undefined ? undefined : parseDuration(param);
    if (ms === undefined) bad(spec, 'latency needs a duration, e.g. latency=100ms');
    f = { ...base, kind: 'latency', slot: 'latency', latencyMs: ms };
  } else if (isProvider && kind === 'early_recovery') {
    const ms = param === undefined ? undefined : parseDuration(param);
    if (ms === undefined) bad(spec, 'early_recovery needs how long the status page admits the outage, e.g. early_recovery=6s');
    f = { ...base, kind: 'early_recovery', slot: 'condition', admittedForMs: ms };
  } else if (isProvider && CONDITIONS.includes(kind)) {
    if (param !== undefined) bad(spec, `"${kind}" takes no parameter`);
    f = { ...base, kind: kind as ConditionKind, slot: 'condition' };
  } else if (kind === 'errors' || (kind === 'rate_limit' && !isProvider)) {
    let remaining: number | undefined;
    if (param !== undefined) {
      remaining = Number(param);
      if (!Number.isInteger(remaining) || remaining < 1) bad(spec, `${kind}=<n> needs a whole number of requests, e.g. ${kind}=2`);
    }
    f = { ...base, kind, slot: 'response', remaining };
  } else if (kind === 'hang') {
    if (param !== undefined) bad(spec, 'hang takes no parameter');
    f = { ...base, kind: 'hang', slot: 'response' };
  } else if (kind === 'garbage') {
    if (param !== undefined && param !== 'html' && param !== 'truncated')
      bad(spec, 'garbage takes html or truncated, e.g. garbage=truncated');
    f = {
      ...base,
      kind: 'garbage',
      slot: 'response',
      garbage: (param as 'html' | 'truncated' | undefined) ?? (isProvider ? 'html' : 'truncated'),
    };
  } else if (kind === 'stale' && target === 'hyperswitch') {
    f = { ...base, kind: 'stale', slot: 'response' };
  } else if (kind === 'nan' && target === 'prometheus') {
    f = { ...base, kind: 'nan', slot: 'response' };
  } else {
    const kinds = isProvider
      ? 'down, degraded, maintenance, declines, rate_limit, silent, early_recovery=<dur>, errors, latency=<dur>, hang, garbage'
      : `errors, rate_limit, latency=<dur>, hang, garbage${target === 'hyperswitch' ? ', stale' : ''}${target === 'prometheus' ? ', nan' : ''}`;
    bad(spec, `unknown kind "${kindText}" for ${target} (kinds: ${kinds})`);
  }
  f.spec = [target, kindText, healText].filter((p) => p !== undefined).join(':');
  return f;
}

export interface FaultBookOptions {
  providers: readonly string[];
  now: () => number;
  /** Called after any fault is added or removed (the simulation re-targets). */
  onChange: () => void;
}

export class FaultBook {
  private active: Fault[] = [];
  private healedList: Fault[] = [];
  private timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  constructor(private readonly o: FaultBookOptions) {}

  /** Parse and add faults; a fault replaces the one in the same target and slot. */
  inject(spec: string): Fault[] {
    const parsed = parseFaultSpecs(spec, this.o.providers);
    const now = this.o.now();
    const added = parsed.map((p) => {
      const old = this.active.filter((f) => f.target === p.target && f.slot === p.slot);
      for (const f of old) this.remove(f);
      const fault: Fault = {
        ...p,
        id: this.nextId++,
        injectedAt: new Date(now).toISOString(),
        healsAt: p.healAfterMs !== undefined ? new Date(now + p.healAfterMs).toISOString() : undefined,
      };
      this.active.push(fault);
      if (p.healAfterMs !== undefined) {
        const t = setTimeout(() => {
          this.timers.delete(fault.id);
          if (this.active.includes(fault)) {
            this.remove(fault);
            this.o.onChange();
          }
        }, p.healAfterMs);
        t.unref();
        this.timers.set(fault.id, t);
      }
      return fault;
    });
    this.o.onChange();
    return added;
  }

  /** Heal every fault of a target, or all faults. Returns the healed ones. */
  heal(target?: string): Fault[] {
    const healed = this.active.filter((f) => target === undefined || f.target === target);
    for (const f of healed) this.remove(f);
    if (healed.length) this.o.onChange();
    return healed;
  }

  list(): Fault[] {
    return this.active.map((f) => ({ ...f }));
  }

  history(): Fault[] {
    return this.healedList.map((f) => ({ ...f }));
  }

  get(target: string, slot: FaultSlot): Fault | undefined {
    return this.active.find((f) => f.target === target && f.slot === slot);
  }

  /** The provider's condition (down, degraded, …) and when it began, if any. */
  condition(provider: string): Fault | undefined {
    return this.get(provider, 'condition');
  }

  /** Healed condition faults of a provider, oldest first (for resolved incidents). */
  pastConditions(provider: string): Fault[] {
    return this.healedList.filter((f) => f.target === provider && f.slot === 'condition');
  }

  /**
   * The response fault that applies to the next request to `target`, consuming
   * one request of a counted burst (errors=<n>): the fault heals when spent.
   */
  takeResponseFault(target: string): Fault | undefined {
    const f = this.get(target, 'response');
    if (!f) return undefined;
    if (f.remaining !== undefined) {
      f.remaining -= 1;
      if (f.remaining <= 0) {
        this.remove(f);
        this.o.onChange();
      }
    }
    return f;
  }

  reset(): void {
    this.dispose();
    this.active = [];
    this.healedList = [];
    this.o.onChange();
  }

  /** Clear every auto-heal timer (on close). */
  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private remove(f: Fault): void {
    this.active = this.active.filter((x) => x !== f);
    const t = this.timers.get(f.id);
    if (t) clearTimeout(t);
    this.timers.delete(f.id);
    this.healedList.push({ ...f, healedAt: new Date(this.o.now()).toISOString() });
    if (this.healedList.length > 500) this.healedList.shift();
  }
}

/** A one-line description of a fault, for the sandbox command's output. */
export function describeFault(f: Fault): string {
  const ms = f.healAfterMs;
  const heal = ms === undefined ? '' : ` (heals ${ms < 1000 ? `${ms}ms` : formatDuration(ms)} after injection)`;
  return `${f.spec}${heal}`;
}

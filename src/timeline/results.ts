/**
 * The `result` shapes that step handlers record in step_completed events.
 * The postmortem and the provider scorecard read these; handlers must produce them.
 */
import type { ProviderStatus, StepType } from '../playbook/schema.js';

export interface CheckStatusResult {
  provider: string;
  /** Worst status of the watched components; "unknown" when the page could not be read. */
  status: ProviderStatus | 'unknown';
  indicator: string;
  components: { name: string; status: string }[];
  /** Unresolved incidents on the provider's status page. */
  incidents: { name: string; status: string; created_at: string; shortlink?: string }[];
  /** Upcoming and in-progress maintenance windows on the page (earliest first). */
  maintenances?: { name: string; status: string; scheduled_for: string | null; scheduled_until: string | null }[];
  /** The first maintenance window in words ("Tue 8 Dec 00:00–02:00 UTC"), when there is one. */
  maintenance_window?: string;
  /** With `overlap_with`: this provider's windows that overlap the other provider's (empty: none). */
  overlapping_maintenances?: {
    name: string;
    scheduled_for: string | null;
    scheduled_until: string | null;
    /** In words: "Wed 9 Dec 01:00–03:00 UTC". */
    window: string;
    /** The other provider's window it overlaps: "stripe Wed 9 Dec 00:00–02:00 UTC". */
    overlaps: string;
  }[];
}

export interface QueryMetricsResult {
  metric: 'success_rate' | 'decline_codes';
  /** Success rate 0..1, or null when the source returned NaN or nothing. */
  value: number | null;
  /** The success rate for messages, e.g. "98.5%" (absent when there is no value). */
  percent?: string;
  provider?: string;
  /** decline code → share (0..1) or count. */
  breakdown?: Record<string, number>;
  /** ISO time of the reading. */
  at: string;
}

export interface SwitchProviderResult {
  from: string | null;
  to: string;
  /** Routing order before and after (first = receives traffic). */
  before: string[];
  after: string[];
  verified: boolean;
  rolled_back?: boolean;
  /** True when traffic went back to the configured primary. */
  failback: boolean;
  /** The target already received traffic: nothing was written. */
  unchanged?: boolean;
  /** A dry run: nothing was written. */
  dry_run?: boolean;
  /** The percent of traffic asked for the target (absent: 100, all of it). */
  share?: number;
  /** Shares before and after, when the routing can split ([{provider, percent}], largest first). */
  split_before?: { provider: string; percent: number }[];
  split_after?: { provider: string; percent: number }[];
  /**
   * Refused before anything was written (the target is disabled or in a major
   * outage, or traffic was not on `from`). A refusal before the routing was
   * read records only `to` and this.
   */
  refused?: boolean;
}

/** The switch wrote the routing and it stayed: not a dry run, not a no-op, not rolled back. */
export function wroteRouting(r: Pick<SwitchProviderResult, 'dry_run' | 'unchanged' | 'rolled_back'>): boolean {
  return !r.dry_run && !r.unchanged && !r.rolled_back;
}

/** A split as recorded ([{provider, percent}]), largest share first; undefined when it is not one. */
function recordedSplit(value: unknown): { provider: string; percent: number }[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const split = value.filter(
    (s): s is { provider: string; percent: number } => s && typeof s.provider === 'string' && typeof s.percent === 'number',
  );
  return [...split].sort((a, b) => b.percent - a.percent);
}

/**
 * The switch a step made, read from its result: a switch_provider result as
 * recorded; a canary (shift_traffic) that finished (completed, found the target
 * already there, or a dry run) as one switch from the split it started at to
 * the one it left, a failback when it ended with everything on the primary.
 * A canary that halted is no switch: it left the traffic led where it was (its
 * stages are in traffic_stage events). Undefined for any other step.
 */
export function switchOfStep(type: string | undefined, result: unknown): SwitchProviderResult | undefined {
  if (!result || typeof result !== 'object') return undefined;
  if (type === 'switch_provider') return result as SwitchProviderResult;
  if (type !== 'shift_traffic') return undefined;
  const r = result as Record<string, unknown>;
  if (typeof r.to !== 'string' || (r.completed !== true && r.dry_run !== true)) return undefined;
  const before = recordedSplit(r.start);
  const after = recordedSplit(r.split_after);
  const to = r.to;
  return {
    from: typeof r.from === 'string' ? r.from : (before?.find((s) => s.provider !== to)?.provider ?? null),
    to,
    before: before?.map((s) => s.provider) ?? [],
    after: after?.map((s) => s.provider) ?? [],
    verified: r.verified === true,
    failback: r.failback === true,
    ...(r.unchanged === true ? { unchanged: true } : {}),
    ...(r.dry_run === true ? { dry_run: true } : {}),
    ...(typeof r.share === 'number' && r.share < 100 ? { share: r.share } : {}),
    ...(before ? { split_before: before } : {}),
    ...(after ? { split_after: after } : {}),
  };
}

export interface ChannelResult {
  ok: boolean;
  status?: number;
  error?: string;
  /** An id the channel returned (e.g. the Statuspage incident id). */
  id?: string;
  /** Taken by an earlier attempt of the step (channel_sent): not posted to again. */
  earlier?: boolean;
}

export interface NotifyResult {
  template: string;
  channels: Record<string, ChannelResult>;
}

export interface EscalateResult {
  provider: string;
  action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  channels: Record<string, ChannelResult>;
}

export interface SetStatusResult {
  status: string;
}

export interface ManualResult {
  done?: boolean;
  checked?: string[];
  unchecked?: string[];
  /** No person to ask: the checklist was left unchecked. */
  unattended?: boolean;
}

export interface InputResult {
  value: string;
}

export interface ChooseResult {
  value: string;
  label: string;
}

export interface HttpResult {
  method: string;
  url: string;
  status?: number;
  duration_ms?: number;
  /** The start of the body when the status was not the expected one. */
  body?: string;
  /** The `capture:` values by name (each is also a field of its own). */
  captured?: Record<string, unknown>;
  would_send?: unknown;
}

export interface ShellResult {
  command: string[];
  exit_code?: number | null;
  signal?: string;
  stdout?: string;
  stderr?: string;
}

export interface WaitResult {
  waited_ms: number;
  /** Checks of `until` (absent for a fixed duration). */
  checks?: number;
  /** A dry run: whether until held at the one check. */
  holds?: boolean;
}

/** Every result may say it was a dry run. */
interface DryRun {
  dry_run?: boolean;
}

/** Each field of T exactly once: a field added to a result type and not listed here does not compile. */
type FieldsOf<T> = { [K in keyof Required<T & DryRun>]: true };

const fields = <T>(declared: FieldsOf<T>): readonly string[] => Object.keys(declared);

/**
 * What `steps.<id>.result` holds, per step type (playbook validate checks references
 * against it; docs/playbooks.md lists it). A step type missing here does not compile.
 * An http step's result also has one field per `capture:` name.
 */
export const RESULT_FIELDS: { readonly [K in StepType]: readonly string[] } = {
  manual: fields<ManualResult>({ done: true, checked: true, unchecked: true, unattended: true, dry_run: true }),
  input: fields<InputResult>({ value: true, dry_run: true }),
  choose: fields<ChooseResult>({ value: true, label: true, dry_run: true }),
  check_status: fields<CheckStatusResult>({
    provider: true,
    status: true,
    indicator: true,
    components: true,
    incidents: true,
    maintenances: true,
    maintenance_window: true,
    overlapping_maintenances: true,
    dry_run: true,
  }),
  query_metrics: fields<QueryMetricsResult>({
    metric: true,
    value: true,
    percent: true,
    provider: true,
    breakdown: true,
    at: true,
    dry_run: true,
  }),
  switch_provider: fields<SwitchProviderResult & { would_refuse?: string }>({
    from: true,
    to: true,
    before: true,
    after: true,
    verified: true,
    rolled_back: true,
    failback: true,
    unchanged: true,
    dry_run: true,
    refused: true,
    would_refuse: true,
    share: true,
    split_before: true,
    split_after: true,
  }),
  shift_traffic: [
    'to',
    'from',
    'stages',
    'start',
    'results',
    'unchanged',
    'completed',
    'verified',
    'split_after',
    'halted_at',
    'reason',
    'rolled_back',
    'rolled_back_to',
    'failback',
    'share',
    'dry_run',
  ],
  notify: fields<NotifyResult>({ template: true, channels: true, dry_run: true }),
  escalate: fields<EscalateResult>({ provider: true, action: true, dedup_key: true, channels: true, dry_run: true }),
  http: fields<HttpResult>({
    method: true,
    url: true,
    status: true,
    duration_ms: true,
    body: true,
    captured: true,
    would_send: true,
    dry_run: true,
  }),
  shell: fields<ShellResult>({ command: true, exit_code: true, signal: true, stdout: true, stderr: true, dry_run: true }),
  wait: fields<WaitResult>({ waited_ms: true, checks: true, holds: true, dry_run: true }),
  set_status: fields<SetStatusResult & { from: string }>({ status: true, from: true, dry_run: true }),
};

/**
 * The `result` shapes that step handlers record in step_completed events.
 * The postmortem and the provider scorecard read these; handlers must produce them.
 */
import type { ProviderStatus } from '../playbook/schema.js';

export interface CheckStatusResult {
  provider: string;
  /** Worst status of the watched components; "unknown" when the page could not be read. */
  status: ProviderStatus | 'unknown';
  indicator: string;
  components: { name: string; status: string }[];
  /** Unresolved incidents on the provider's status page. */
  incidents: { name: string; status: string; created_at: string; shortlink?: string }[];
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

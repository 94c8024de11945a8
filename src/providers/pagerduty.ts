/**
 * PagerDuty Events API v2: POST {base}/v2/enqueue.
 * The dedup_key is the step's idempotency key, so a repeated or resumed step
 * updates the same alert instead of paging twice. 202 = accepted; a 400 lists
 * what is wrong in `errors`.
 */
import { OperationError } from '../errors.js';
import type { Severity } from '../playbook/schema.js';
import type { HttpClient } from './http.js';

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export const SEVERITY_TO_PAGERDUTY: Record<Severity, PagerDutySeverity> = {
  sev1: 'critical',
  sev2: 'error',
  sev3: 'warning',
  sev4: 'info',
};

export interface PagerDutyEvent {
  action: PagerDutyAction;
  dedupKey: string;
  /** Required for trigger (cut to 1024 characters). */
  summary?: string;
  source?: string;
  severity?: PagerDutySeverity;
  component?: string;
  customDetails?: Record<string, unknown>;
}

export interface PagerDutyTarget {
  channel: string;
  baseUrl: string;
  routingKey: string;
}

export interface PagerDutyAccepted {
  status: number;
  dedup_key: string;
  dryRun?: boolean;
}

/** 400 bodies look like {"status":"invalid event","message":"Event object is invalid","errors":["…"]}. */
export function describePagerDutyError(_status: number, _text: string, json: unknown): string | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const j = json as { message?: unknown; errors?: unknown };
  const errors = Array.isArray(j.errors) ? j.errors.map(String) : [];
  const msg = typeof j.message === 'string' ? j.message : undefined;
  if (!msg && errors.length === 0) return undefined;
  return [msg, errors.length ? errors.join('; ') : undefined].filter(Boolean).join(': ');
}

export async function sendPagerDutyEvent(
  http: HttpClient,
  t: PagerDutyTarget,
  ev: PagerDutyEvent,
  signal?: AbortSignal,
): Promise<PagerDutyAccepted> {
  const dedup = ev.dedupKey.slice(0, 255);
  const body: Record<string, unknown> = { routing_key: t.routingKey, event_action: ev.action, dedup_key: dedup };
  if (ev.action === 'trigger') {
    if (!ev.summary) throw new OperationError(`pagerduty channel "${t.channel}": a trigger needs a summary`);
    body.payload = {
      summary: ev.summary.slice(0, 1024),
      source: ev.source ?? 'payctl',
      severity: ev.severity ?? 'error',
      ...(ev.component ? { component: ev.component } : {}),
      ...(ev.customDetails ? { custom_details: ev.customDetails } : {}),
    };
    body.client = 'payctl';
  }
  const res = await http.request<{ dedup_key?: string }>({
    service: `pagerduty channel "${t.channel}"`,
    method: 'POST',
    url: `${t.baseUrl.replace(/\/+$/, '')}/v2/enqueue`,
    body,
    signal,
    describeError: describePagerDutyError,
  });
  if (res.dryRun) return { status: 0, dedup_key: dedup, dryRun: true };
  return { status: res.status, dedup_key: (res.data && typeof res.data.dedup_key === 'string' && res.data.dedup_key) || dedup };
}

/**
 * PagerDuty Events API v2 at `/pagerduty/v2/enqueue`: validation like the real
 * one (400 `{status, message, errors}`), 202 `{status, message, dedup_key}`,
 * and alerts de-duplicated by `dedup_key` (repeated triggers are one alert).
 */
import { randomUUID } from 'node:crypto';
import { isRecord, json, type Reply, type SandboxRequest, iso } from './http.js';

const ACTIONS = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES = ['critical', 'error', 'warning', 'info'];

export interface PagerDutyAlert {
  dedup_key: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  summary: string;
  source: string;
  severity: string;
  created_at: string;
  updated_at: string;
  /** How many trigger events carried this dedup_key (1 = paged once). */
  triggers: number;
  /** Every accepted event for this alert, in order. */
  events: { action: string; time: string }[];
}

export class PagerDutyState {
  alerts: PagerDutyAlert[] = [];
  /** Accepted events, all alerts together. */
  eventCount = 0;
  changeEvents: unknown[] = [];

  constructor(private readonly now: () => number) {}

  reset(): void {
    this.alerts = [];
    this.eventCount = 0;
    this.changeEvents = [];
  }

  handle(rest: string, req: SandboxRequest): Reply {
    if (req.method !== 'POST') return json(405, { status: 'invalid request', message: 'Method not allowed', errors: ['Use POST'] });
    if (rest === '/v2/change/enqueue') {
      const errors = this.validateKey(req);
      if (errors.length) return invalid(errors);
      this.changeEvents.push(req.body);
      return json(202, { status: 'success', message: 'Change event processed' });
    }
    if (rest !== '/v2/enqueue') return json(404, { status: 'not found', message: 'Not found', errors: [`no endpoint ${rest}`] });
    const errors = this.validateKey(req);
    if (req.bodyError || !isRecord(req.body)) return invalid(errors.length ? errors : ['Request body must be a JSON object']);
    const e = req.body;
    const action = String(e.event_action ?? '');
    if (!ACTIONS.includes(action)) errors.push(`'event_action' must be one of: ${ACTIONS.join(', ')}`);
    const dedup = typeof e.dedup_key === 'string' ? e.dedup_key : undefined;
    if (dedup !== undefined && (dedup.length === 0 || dedup.length > 255)) errors.push("'dedup_key' must be between 1 and 255 characters");
    const payload = isRecord(e.payload) ? e.payload : undefined;
    if (action === 'trigger') {
      if (!payload) errors.push("'payload' is missing or not an object");
      else {
        if (typeof payload.summary !== 'string' || payload.summary === '') errors.push("'payload.summary' is missing or blank");
        else if (payload.summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
        if (typeof payload.source !== 'string' || payload.source === '') errors.push("'payload.source' is missing or blank");
        if (!SEVERITIES.includes(String(payload.severity))) errors.push(`'payload.severity' must be one of: ${SEVERITIES.join(', ')}`);
      }
    } else if (ACTIONS.includes(action) && dedup === undefined) {
      errors.push(`'dedup_key' is required for ${action} events`);
    }
    if (errors.length) return invalid(errors);
    const key = dedup ?? randomUUID().replace(/-/g, '');
    this.record(action, key, payload);
    return json(202, { status: 'success', message: 'Event processed', dedup_key: key });
  }

  private validateKey(req: SandboxRequest): string[] {
    const key = isRecord(req.body) ? req.body.routing_key : undefined;
    if (typeof key !== 'string' || key === '') return ["'routing_key' is missing or blank"];
    if (key.length !== 32) return ["Length of 'routing_key' is incorrect (should be 32 characters)"];
    return [];
  }

  private record(action: string, key: string, payload: Record<string, unknown> | undefined): void {
    const now = iso(this.now());
    this.eventCount++;
    let alert = this.alerts.find((a) => a.dedup_key === key && a.status !== 'resolved');
    if (action === 'trigger') {
      if (alert) {
        alert.triggers++;
      } else {
        alert = {
          dedup_key: key,
          status: 'triggered',
          summary: String(payload?.summary),
          source: String(payload?.source),
          severity: String(payload?.severity),
          created_at: now,
          updated_at: now,
          triggers: 1,
          events: [],
        };
        this.alerts.push(alert);
      }
    } else if (alert) {
      // acknowledging a resolved or unknown alert is accepted and ignored, as the real API does
      alert.status = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    }
    if (alert) {
      alert.updated_at = now;
      alert.events.push({ action, time: now });
    }
  }
}

function invalid(errors: string[]): Reply {
  return json(400, { status: 'invalid event', message: 'Event object is invalid', errors });
}

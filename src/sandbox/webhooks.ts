/**
 * Generic webhooks at `/webhook/<name>` (email, banner, social and ticket
 * services): POST/PUT/PATCH → 200 `{ok: true, id}`; every delivery recorded.
 */
import { json, type Reply, type SandboxRequest, iso } from './http.js';

export interface WebhookDelivery {
  id: string;
  name: string;
  time: string;
  method: string;
  body: unknown;
  idempotency_key?: string;
}

export class WebhookState {
  deliveries: WebhookDelivery[] = [];
  private counter = 0;
  constructor(private readonly now: () => number) {}

  reset(): void {
    this.deliveries = [];
  }

  handle(rest: string, req: SandboxRequest): Reply {
    const name = rest.replace(/^\//, '');
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) return json(404, { ok: false, error: 'unknown webhook' });
    if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return json(405, { ok: false, error: 'method not allowed' });
    if (req.bodyError) return json(400, { ok: false, error: `invalid JSON: ${req.bodyError}` });
    const id = `wh_${++this.counter}`;
    this.deliveries.push({
      id,
      name,
      time: iso(this.now()),
      method: req.method,
      body: req.body,
      idempotency_key: req.headers['idempotency-key'],
    });
    return json(200, { ok: true, id });
  }
}

/**
 * Hyperswitch routing (v1) at `/hyperswitch`: `GET /routing/default` reads and
 * `POST /routing/default` replaces the fallback connector order, an array of
 * `{connector, merchant_connector_id}`; header `api-key` required. The first
 * connector is where the traffic simulation sends payments.
 * The `hyperswitch:stale` fault accepts writes without applying them (a
 * read-back that disagrees with the write).
 */
import { isRecord, json, type Reply, type SandboxRequest, iso } from './http.js';

export interface Connector {
  connector: string;
  merchant_connector_id: string;
}

export function connectorIdOf(provider: string): string {
  return `mca_sandbox_${provider}`;
}

function hsError(status: number, code: string, message: string, type = 'invalid_request'): Reply {
  return json(status, { error: { type, message, code } });
}

export class RoutingState {
  order: Connector[];
  changes: { time: string; order: string[]; applied: boolean }[] = [];

  constructor(
    private readonly providers: readonly string[],
    private readonly now: () => number,
    /** Called after the order changed (the simulation follows it). */
    private readonly onChange: () => void,
    /** True while writes must be acknowledged but not applied. */
    private readonly isStale: () => boolean,
  ) {
    this.order = this.initial();
  }

  /** The provider names in priority order. */
  names(): string[] {
    return this.order.map((c) => c.connector);
  }

  first(): string {
    return this.order[0]?.connector ?? this.providers[0]!;
  }

  reset(): void {
    this.order = this.initial();
    this.changes = [];
    this.onChange();
  }

  handle(rest: string, req: SandboxRequest): Reply {
    if (!req.headers['api-key']) return hsError(401, 'IR_01', 'API key not provided or invalid API key used');
    if (rest !== '/routing/default' && rest !== '/routing/default/') return hsError(404, 'IR_02', 'Unrecognized request URL');
    if (req.method === 'GET') return json(200, this.order);
    if (req.method !== 'POST') return hsError(405, 'IR_14', 'Method not allowed');
    if (req.bodyError) return hsError(400, 'IR_06', `Json deserialize error: ${req.bodyError}`);
    const problem = this.validate(req.body);
    if (problem) return hsError(400, 'IR_06', problem);
    const next = (req.body as Connector[]).map((c) => ({ connector: c.connector, merchant_connector_id: c.merchant_connector_id }));
    const applied = !this.isStale();
    if (applied) this.order = next;
    this.changes.push({ time: iso(this.now()), order: next.map((c) => c.connector), applied });
    if (applied) this.onChange();
    return json(200, next);
  }

  private validate(body: unknown): string | undefined {
    if (!Array.isArray(body)) return 'Json deserialize error: expected an array of {connector, merchant_connector_id}';
    if (body.length === 0) return 'Fallback connector list cannot be empty';
    // like the real API: the new list is a reordering of the current one
    if (body.length !== this.order.length) return 'current config and updated config have different lengths';
    const seen = new Set<string>();
    for (const [i, c] of body.entries()) {
      if (!isRecord(c) || typeof c.connector !== 'string' || typeof c.merchant_connector_id !== 'string') {
        return `Json deserialize error: item ${i} must be {connector, merchant_connector_id}`;
      }
      if (!this.providers.includes(c.connector)) return `Connector ${c.connector} is not configured for this merchant`;
      if (c.merchant_connector_id !== connectorIdOf(c.connector)) {
        return `merchant_connector_id ${c.merchant_connector_id} does not belong to connector ${c.connector}`;
      }
      if (seen.has(c.connector)) return `Connector ${c.connector} appears twice`;
      seen.add(c.connector);
    }
    if (!this.order.every((c) => seen.has(c.connector))) return 'updated config has connectors that are not in the current config';
    return undefined;
  }

  private initial(): Connector[] {
    return this.providers.map((p) => ({ connector: p, merchant_connector_id: connectorIdOf(p) }));
  }
}

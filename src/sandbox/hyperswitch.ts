/**
 * Hyperswitch routing (v1) at `/hyperswitch`: `GET /routing/default` reads and
 * `POST /routing/default` replaces the fallback connector order, an array of
 * `{connector, merchant_connector_id}`; header `api-key` required. The first
 * connector is where the traffic simulation sends payments, unless a
 * volume-split algorithm is active:
 *   POST /routing                {name, description?, profile_id?, algorithm: {type: "volume_split", data: [{split, output: {connector, merchant_connector_id}}]}}
 *   GET  /routing/{id}           the algorithm
 *   POST /routing/{id}/activate  makes it decide where payments go
 *   GET  /routing/active         [the active algorithm's record] (empty when none)
 *   POST /routing/deactivate     back to the fallback order
 * The `hyperswitch:stale` fault accepts writes and activations without
 * applying them (a read-back that disagrees with the write).
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

export interface VolumeSplitAlgorithm {
  id: string;
  profile_id: string;
  name: string;
  description: string;
  kind: 'volume_split';
  algorithm_for: 'payment';
  algorithm: { type: 'volume_split'; data: { split: number; output: Connector }[] };
  created_at: number;
  modified_at: number;
}

export class RoutingState {
  order: Connector[];
  changes: { time: string; order: string[]; applied: boolean; split?: Record<string, number> }[] = [];
  algorithms = new Map<string, VolumeSplitAlgorithm>();
  active: string | undefined;

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
    const split = this.activeSplit();
    if (split) return Object.entries(split).sort((a, b) => b[1] - a[1])[0]![0];
    return this.order[0]?.connector ?? this.providers[0]!;
  }

  /** Fraction of payments per provider (sums to 1): the active volume split, or all to the first connector. */
  shares(): Record<string, number> {
    const split = this.activeSplit();
    if (split) return Object.fromEntries(Object.entries(split).map(([p, v]) => [p, v / 100]));
    return { [this.order[0]?.connector ?? this.providers[0]!]: 1 };
  }

  /** The active volume split in percent per provider, or undefined. */
  activeSplit(): Record<string, number> | undefined {
    const a = this.active ? this.algorithms.get(this.active) : undefined;
    if (!a) return undefined;
    const out: Record<string, number> = {};
    for (const d of a.algorithm.data) out[d.output.connector] = (out[d.output.connector] ?? 0) + d.split;
    return out;
  }

  reset(): void {
    this.order = this.initial();
    this.changes = [];
    this.algorithms.clear();
    this.active = undefined;
    this.onChange();
  }

  handle(rest: string, req: SandboxRequest): Reply {
    if (!req.headers['api-key']) return hsError(401, 'IR_01', 'API key not provided or invalid API key used');
    const path = rest.replace(/\/+$/, '');
    if (path.startsWith('/routing') && path !== '/routing/default') return this.handleAlgorithms(path, req);
    if (path !== '/routing/default') return hsError(404, 'IR_02', 'Unrecognized request URL');
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

  private handleAlgorithms(path: string, req: SandboxRequest): Reply {
    const m = req.method;
    if (path === '/routing' && m === 'POST') return this.create(req);
    if (path === '/routing/active' && m === 'GET') {
      const a = this.active ? this.algorithms.get(this.active) : undefined;
      if (!a) return json(200, []);
      const { algorithm: _algorithm, ...record } = a;
      return json(200, [record]);
    }
    if (path === '/routing/deactivate' && m === 'POST') {
      if (!this.active) return hsError(400, 'PRE_CONDITION_FAILED', 'Algorithm is already inactive', 'invalid_request');
      if (!this.isStale()) {
        this.active = undefined;
        this.changes.push({ time: iso(this.now()), order: this.names(), applied: true });
        this.onChange();
      }
      return json(200, { status: 'deactivated' });
    }
    const one = /^\/routing\/([^/]+)(\/activate)?$/.exec(path);
    const algo = one ? this.algorithms.get(decodeURIComponent(one[1]!)) : undefined;
    if (one && !algo) return hsError(404, 'HE_02', 'Routing algorithm not found', 'object_not_found');
    if (algo && !one![2] && m === 'GET') return json(200, algo);
    if (algo && one![2] && m === 'POST') {
      const applied = !this.isStale();
      if (applied) {
        this.active = algo.id;
        this.onChange();
      }
      this.changes.push({ time: iso(this.now()), order: this.names(), applied, split: this.splitOf(algo) });
      const { algorithm: _algorithm, ...record } = algo;
      return json(200, record);
    }
    return hsError(404, 'IR_02', 'Unrecognized request URL');
  }

  private create(req: SandboxRequest): Reply {
    if (req.bodyError) return hsError(400, 'IR_06', `Json deserialize error: ${req.bodyError}`);
    const b = req.body;
    if (!isRecord(b) || typeof b.name !== 'string') return hsError(400, 'IR_06', 'Json deserialize error: missing field `name`');
    const algorithm = b.algorithm;
    if (!isRecord(algorithm) || algorithm.type !== 'volume_split')
      return hsError(400, 'IR_06', 'the sandbox emulates volume_split algorithms only (algorithm.type: "volume_split")');
    const data = algorithm.data;
    if (!Array.isArray(data) || data.length === 0)
      return hsError(400, 'IR_06', 'Json deserialize error: algorithm.data must be a list of {split, output}');
    let total = 0;
    for (const [i, d] of data.entries()) {
      if (!isRecord(d) || typeof d.split !== 'number' || !Number.isInteger(d.split) || d.split < 0 || !isRecord(d.output)) {
        return hsError(
          400,
          'IR_06',
          `Json deserialize error: algorithm.data[${i}] must be {split: <integer percent>, output: {connector, merchant_connector_id}}`,
        );
      }
      const c = d.output;
      if (typeof c.connector !== 'string' || !this.providers.includes(c.connector))
        return hsError(400, 'IR_06', `Connector ${String(c.connector)} is not configured for this merchant`);
      if (c.merchant_connector_id !== connectorIdOf(c.connector))
        return hsError(
          400,
          'IR_06',
          `merchant_connector_id ${String(c.merchant_connector_id)} does not belong to connector ${c.connector}`,
        );
      total += d.split;
    }
    if (total !== 100) return hsError(400, 'IR_06', `Sum of splits must be 100, got ${total}`);
    const now = this.now();
    const id = `routing_sandbox_${this.algorithms.size + 1}`;
    const algo: VolumeSplitAlgorithm = {
      id,
      profile_id: typeof b.profile_id === 'string' ? b.profile_id : 'pro_sandbox',
      name: b.name,
      description: typeof b.description === 'string' ? b.description : '',
      kind: 'volume_split',
      algorithm_for: 'payment',
      algorithm: {
        type: 'volume_split',
        data: (data as { split: number; output: Connector }[]).map((d) => ({
          split: d.split,
          output: { connector: d.output.connector, merchant_connector_id: d.output.merchant_connector_id },
        })),
      },
      created_at: now,
      modified_at: now,
    };
    this.algorithms.set(id, algo);
    const { algorithm: _algorithm, ...record } = algo;
    return json(200, record);
  }

  private splitOf(a: VolumeSplitAlgorithm): Record<string, number> {
    return Object.fromEntries(a.algorithm.data.map((d) => [d.output.connector, d.split]));
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

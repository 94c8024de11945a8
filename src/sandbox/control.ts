/**
 * Control endpoints under `/_control/` (not part of any real API): inject and
 * heal faults, read the request log and the state, reset, and fetch the config
 * and env values. They are never faulted and never logged.
 */
import { InvalidInputError } from '../errors.js';
import { isRecord, json, type RecordedRequest, type Reply, type SandboxRequest } from './http.js';
import type { Fault } from './faults.js';
import type { RequestFilter } from './request-log.js';

export interface ControlApi {
  injectFault(spec: string): Fault[];
  heal(target?: string): Fault[];
  faults(): Fault[];
  requests(filter?: RequestFilter): RecordedRequest[];
  clearRequests(): void;
  state(): unknown;
  reset(): void;
  configObject(): unknown;
  env(): Record<string, string>;
}

/** A field from a JSON body (whatever the content type: `curl -d` sends form type), a form body or the query. */
function field(req: SandboxRequest, name: string): string | undefined {
  let body = req.body;
  try {
    if (/^\s*\{/.test(req.rawBody)) body = JSON.parse(req.rawBody);
  } catch {
    // not JSON after all: keep the parsed form
  }
  if (isRecord(body) && typeof body[name] === 'string') return body[name] as string;
  return req.query[name];
}

export function handleControl(api: ControlApi, rest: string, req: SandboxRequest): Reply {
  const m = req.method;
  try {
    if (rest === '/fault' && m === 'POST') {
      const spec = field(req, 'spec');
      if (!spec) return json(400, { error: 'give the fault as {"spec": "stripe:down"}' });
      const injected = api.injectFault(spec);
      return json(200, { injected, active: api.faults() });
    }
    if (rest === '/fault' && m === 'GET') return json(200, { active: api.faults() });
    if (rest === '/heal' && m === 'POST') {
      const healed = api.heal(field(req, 'target') || undefined);
      return json(200, { healed, active: api.faults() });
    }
    if (rest === '/requests' && m === 'GET') {
      const q = req.query;
      const after = q.after !== undefined ? Number(q.after) : undefined;
      return json(200, { requests: api.requests({ target: q.target, path: q.path, method: q.method, after }) });
    }
    if (rest === '/requests' && m === 'DELETE') {
      api.clearRequests();
      return json(200, { ok: true });
    }
    if (rest === '/state' && m === 'GET') return json(200, api.state());
    if (rest === '/reset' && m === 'POST') {
      api.reset();
      return json(200, { ok: true });
    }
    if (rest === '/config' && m === 'GET') return json(200, api.configObject());
    if (rest === '/env' && m === 'GET') return json(200, api.env());
  } catch (e) {
    if (e instanceof InvalidInputError) return json(400, { error: e.message, hint: e.hint });
    throw e;
  }
  return json(404, {
    error: `no control endpoint ${m} /_control${rest}`,
    endpoints: [
      'POST /_control/fault',
      'POST /_control/heal',
      'GET|DELETE /_control/requests',
      'GET /_control/state',
      'POST /_control/reset',
      'GET /_control/config',
      'GET /_control/env',
    ],
  });
}

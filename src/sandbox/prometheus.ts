/**
 * Prometheus HTTP API at `/prometheus`: `GET|POST /api/v1/query` and
 * `/api/v1/query_range`, answered from the traffic simulation. A query that
 * mentions "decline" gets a vector by `code`; one that mentions "attempted"
 * but not "succeeded" gets the payments attempted over its `[window]`; any
 * other query gets the payment success rate (one sample). A matcher
 * `provider="x"` (or `=~"x"` with a plain name) narrows any of them to one
 * provider; a provider receiving no payments has a NaN success rate, as in
 * Prometheus (0/0). Envelopes and errors are Prometheus's: 400 bad_data for
 * missing or unparsable parameters.
 */
import { isRecord, json, type Reply, type SandboxRequest } from './http.js';
import { parseDuration } from '../duration.js';
import type { World } from './world.js';

function params(req: SandboxRequest): Record<string, string> {
  const out: Record<string, string> = { ...req.query };
  if (isRecord(req.body)) for (const [k, v] of Object.entries(req.body)) if (typeof v === 'string') out[k] = v;
  return out;
}

function badData(error: string): Reply {
  return json(400, { status: 'error', errorType: 'bad_data', error });
}

function unbalanced(q: string): string | undefined {
  let depth = 0;
  for (const [i, ch] of [...q].entries()) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) return `1:${i + 1}: parse error: unexpected right parenthesis ')'`;
  }
  return depth > 0 ? `1:${q.length + 1}: parse error: unclosed left parenthesis` : undefined;
}

/** A time parameter: unix seconds (float) or RFC 3339. */
function parseTime(v: string | undefined, fallback: number): number | undefined {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (Number.isFinite(n)) return n * 1000;
  const d = Date.parse(v);
  return Number.isNaN(d) ? undefined : d;
}

function sampleValue(v: number, nan: boolean): string {
  return nan ? 'NaN' : String(v);
}

/** The one provider a query's `provider` matcher names, or undefined for all (none, or a regex like .*). */
function providerOf(query: string): string | undefined {
  const m = /provider\s*=~?\s*"([^"]*)"/.exec(query);
  return m && /^[a-z0-9_-]+$/i.test(m[1]!) ? m[1] : undefined;
}

function vectorAt(world: World, query: string, at: number, nan: boolean) {
  const ts = Math.round(at) / 1000;
  const provider = providerOf(query);
  const labels: Record<string, string> = provider ? { provider } : {};
  if (/decline/i.test(query)) {
    return Object.entries(world.simulation.declines(at, provider))
      .filter(([, v]) => v > 0)
      .map(([code, v]) => ({ metric: { ...labels, code }, value: [ts, sampleValue(v, nan)] as [number, string] }));
  }
  if (/attempted/i.test(query) && !/succeeded/i.test(query)) {
    const window = parseDuration(/\[([^\]:]+)\]/.exec(query)?.[1] ?? '5m') ?? 300_000;
    return [
      { metric: labels, value: [ts, sampleValue(world.simulation.attemptsBetween(at - window, at, provider), nan)] as [number, string] },
    ];
  }
  const rate = provider ? world.simulation.observedFor(provider, at) : world.simulation.observed(at);
  return [{ metric: labels, value: [ts, rate === null ? 'NaN' : sampleValue(rate, nan)] as [number, string] }];
}

export function handlePrometheus(world: World, rest: string, req: SandboxRequest, nan: boolean): Reply {
  if (req.method !== 'GET' && req.method !== 'POST')
    return json(405, { status: 'error', errorType: 'bad_data', error: 'method not allowed' });
  const p = params(req);
  const now = world.now();
  if (rest === '/api/v1/query') {
    const q = p.query;
    if (!q) return badData('invalid parameter "query": query is empty');
    const syntax = unbalanced(q);
    if (syntax) return badData(`invalid parameter "query": ${syntax}`);
    const at = parseTime(p.time, now);
    if (at === undefined) return badData(`invalid parameter "time": cannot parse "${p.time}" to a valid timestamp`);
    return json(200, { status: 'success', data: { resultType: 'vector', result: vectorAt(world, q, Math.min(at, now), nan) } });
  }
  if (rest === '/api/v1/query_range') {
    const q = p.query;
    if (!q) return badData('invalid parameter "query": query is empty');
    const syntax = unbalanced(q);
    if (syntax) return badData(`invalid parameter "query": ${syntax}`);
    const start = parseTime(p.start, NaN);
    const end = parseTime(p.end, NaN);
    const step = Number(p.step);
    if (start === undefined || Number.isNaN(start)) return badData('invalid parameter "start": cannot parse to a valid timestamp');
    if (end === undefined || Number.isNaN(end)) return badData('invalid parameter "end": cannot parse to a valid timestamp');
    if (!(step > 0)) return badData('invalid parameter "step": zero or negative query resolution step widths are not accepted');
    if ((end - start) / (step * 1000) > 11000)
      return badData('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
    const series = new Map<string, { metric: Record<string, string>; values: [number, string][] }>();
    for (let t = start; t <= Math.min(end, now); t += step * 1000) {
      for (const s of vectorAt(world, q, t, nan)) {
        const key = JSON.stringify(s.metric);
        if (!series.has(key)) series.set(key, { metric: s.metric, values: [] });
        series.get(key)!.values.push(s.value);
      }
    }
    return json(200, { status: 'success', data: { resultType: 'matrix', result: [...series.values()] } });
  }
  return json(404, { status: 'error', errorType: 'not_found', error: `unknown endpoint ${rest}` });
}

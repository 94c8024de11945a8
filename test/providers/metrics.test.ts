import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../../src/config/schema.js';
import { createHttpClient } from '../../src/providers/http.js';
import { fillQuery, parseQueryEnvelope, queryPrometheus } from '../../src/providers/prometheus.js';
import { readMetric } from '../../src/providers/metrics.js';
import { parseMetricsText, summariseReadings } from '../../src/providers/metrics-file.js';
import { sendJson, startServer, tempDir, type TestServer } from './helpers.js';

const vector = (samples: [Record<string, string>, string][]) => ({
  status: 'success',
  data: { resultType: 'vector', result: samples.map(([metric, v]) => ({ metric, value: [1700000000.5, v] })) },
});

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({
    '/prom/api/v1/query': (r, res) => {
      const q = new URL(r.path, 'http://x').searchParams.get('query') ?? '';
      if (q.includes('decline'))
        return sendJson(
          res,
          200,
          vector([
            [{ code: 'do_not_honor' }, '12'],
            [{ code: 'insufficient_funds' }, '3'],
            [{ code: 'fraud' }, 'NaN'],
          ]),
        );
      if (q === 'nan') return sendJson(res, 200, vector([[{}, 'NaN']]));
      if (q === 'inf') return sendJson(res, 200, vector([[{}, '+Inf']]));
      if (q === 'scalar') return sendJson(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1700000000, '0.42'] } });
      if (q === 'bad(')
        return sendJson(res, 400, { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unclosed left parenthesis' });
      if (q === 'heavy')
        return sendJson(res, 422, { status: 'error', errorType: 'execution', error: 'query processing would load too many samples' });
      if (q === 'slow')
        return sendJson(res, 503, { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' });
      if (q === 'envelope') return sendJson(res, 200, { status: 'error', errorType: 'internal', error: 'something broke' });
      sendJson(res, 200, vector([[{}, '0.9851']]));
    },
  });
});
afterAll(() => srv.close());

const http = createHttpClient({ timeoutMs: 2000, retries: 0 });
const prom = (q: string) => queryPrometheus(http, `${srv.url}/prom`, q);

describe('Prometheus', () => {
  it('vector, scalar, NaN and +Inf', async () => {
    expect((await prom('sum(rate(ok[5m]))')).samples[0]!.value).toBe(0.9851);
    expect((await prom('scalar')).samples[0]).toMatchObject({ value: 0.42, raw: '0.42' });
    expect((await prom('nan')).samples[0]).toMatchObject({ value: null, raw: 'NaN' });
    expect((await prom('inf')).samples[0]).toMatchObject({ value: null, raw: '+Inf' });
  });

  it("400, 422 and 503 are explained with Prometheus' own error", async () => {
    await expect(prom('bad(')).rejects.toThrow(
      `prometheus: GET ${srv.url}/prom/api/v1/query → HTTP 400: bad query parameters — bad_data: 1:5: parse error: unclosed left parenthesis`,
    );
    await expect(prom('heavy')).rejects.toThrow(
      'HTTP 422: the expression cannot be executed — execution: query processing would load too many samples',
    );
    await expect(prom('slow')).rejects.toThrow('HTTP 503: the query timed out or was aborted — timeout: query timed out');
  });

  it('an error envelope on 200, or no envelope at all, is an error', async () => {
    await expect(prom('envelope')).rejects.toThrow('prometheus: query failed: internal: something broke');
    expect(() => parseQueryEnvelope({ data: [] }, 'prometheus')).toThrow('is not a Prometheus query result');
  });

  it('fills $window and $provider', () => {
    expect(fillQuery('rate(x{provider=~"$provider"}[$window])', { window: '10m', provider: 'stripe' })).toBe(
      'rate(x{provider=~"stripe"}[10m])',
    );
  });

  it('readMetric: success rate and the decline breakdown by code (NaN samples dropped)', async () => {
    const config = Config.parse({
      metrics: { type: 'prometheus', url: `${srv.url}/prom`, queries: { success_rate: 'rate', decline_codes: 'sum by (code) (decline)' } },
    });
    const deps = { config, configDir: '/', http, env: {}, now: () => new Date('2024-01-01T00:00:00Z') };
    expect(await readMetric(deps, { metric: 'success_rate', windowMs: 300_000 })).toMatchObject({
      metric: 'success_rate',
      value: 0.9851,
      at: '2023-11-14T22:13:20.500Z',
    });
    expect(await readMetric(deps, { metric: 'decline_codes', windowMs: 300_000 })).toMatchObject({
      breakdown: { do_not_honor: 12, insufficient_funds: 3 },
    });
    const nan = Config.parse({ metrics: { type: 'prometheus', url: `${srv.url}/prom`, queries: { success_rate: 'nan' } } });
    expect(await readMetric({ ...deps, config: nan }, { metric: 'success_rate', windowMs: 1 })).toMatchObject({
      value: null,
      warnings: ['the success-rate query returned NaN (no traffic in the window?)'],
    });
  });
});

describe('metrics file', () => {
  it('CSV: mean over the window ending at the newest reading, per provider', () => {
    const rs = parseMetricsText(
      'time,success_rate,provider\n2024-01-01T00:00:00Z,0.99,stripe\n2024-01-01T00:10:00Z,0.60,stripe\n2024-01-01T00:12:00Z,0.80,stripe\n2024-01-01T00:12:00Z,0.99,adyen\n',
      'm.csv',
    );
    expect(summariseReadings(rs, 5 * 60_000, 'stripe')).toMatchObject({ success_rate: 0.7, count: 2, at: '2024-01-01T00:12:00.000Z' });
    expect(summariseReadings(rs, 5 * 60_000, 'adyen').success_rate).toBe(0.99);
  });

  it('JSON with decline codes, through readMetric', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'm.json'),
      JSON.stringify({
        readings: [
          { time: '2024-01-01T00:00:00Z', success_rate: 0.9, decline_codes: { do_not_honor: 4 } },
          { time: '2024-01-01T00:01:00Z', success_rate: 0.8, decline_codes: { do_not_honor: 1, expired_card: 2 } },
        ],
      }),
    );
    const config = Config.parse({ metrics: { type: 'file', path: 'm.json' } });
    const deps = { config, configDir: dir, http, env: {}, now: () => new Date() };
    expect((await readMetric(deps, { metric: 'success_rate', windowMs: 600_000 })).value).toBeCloseTo(0.85);
    expect(await readMetric(deps, { metric: 'decline_codes', windowMs: 600_000 })).toMatchObject({
      breakdown: { do_not_honor: 5, expired_card: 2 },
    });
  });

  it('bad files say what is wrong', () => {
    expect(() => parseMetricsText('when,rate\n1,2', 'm.csv')).toThrow('the CSV header must name time and success_rate');
    expect(() => parseMetricsText('time,success_rate\nyesterday,0.9', 'm.csv')).toThrow('m.csv:2: "yesterday" is not a time');
    expect(() => parseMetricsText('{"readings": 3}', 'm.json')).toThrow('expected a list of readings');
  });
});

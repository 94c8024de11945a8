/**
 * An old incident left open on a provider's status page is not the
 * postmortem's "first recorded sign of the problem" (issue 10, item 3): only
 * page incidents created in the incident's window count, or older ones that
 * affect a component we read as failing. Real capture: instructure's page
 * during the 2021-12-07 AWS outage, read by check_status over real HTTP.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check_status } from '../../src/steps/check-status.js';
import {
  FIXTURES,
  openIncident,
  recordStep,
  runCliAsync,
  sendJson,
  startServer,
  stepRun,
  tempProject,
  testContext,
  type TestServer,
} from '../providers/helpers.js';

const summary = JSON.parse(readFileSync(join(FIXTURES, 'statuspage', 'instructure-summary.json'), 'utf8'));
// our outage, today: Canvas chat is down; the page still has the 2021 AWS incident open, which does not list Chat
summary.components.find((c: { name: string }) => c.name === '— Chat').status = 'major_outage';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ '/api/v2/summary.json': (_q, res) => sendJson(res, 200, summary) });
});
afterAll(() => srv.close());

async function postmortemWatching(component: string): Promise<string> {
  const dir = tempProject(
    `providers:\n  instructure:\n    kind: processor\n    statuspage: ${srv.url}\n    components: ["${component}"]\n`,
  );
  const { ctx } = testContext(dir, {});
  const session = await openIncident(ctx);
  const run = stepRun(ctx, session, { id: 'check', type: 'check_status', title: 'Check', provider: 'instructure' } as never);
  const r = await check_status(run);
  expect(r.outcome).toBe('ok');
  expect((r.result as { incidents: unknown[] }).incidents).toHaveLength(1); // the 2021 incident is on the page
  await recordStep(session, run, r as never);
  const pm = await runCliAsync(['postmortem', session.id], { cwd: dir });
  expect(pm.code, pm.stderr).toBe(0);
  return readFileSync(join(dir, '.payctl', 'incidents', session.id, 'postmortem.md'), 'utf8');
}

describe('old status-page incidents in the postmortem', () => {
  it('an incident opened years before ours, about other components, is not the first sign', async () => {
    const md = await postmortemWatching('— Chat');
    expect(md).not.toContain('2021-12-07');
    expect(md).not.toMatch(/first recorded sign of the problem was at [^(]*\(instructure's status page opened/);
    expect(md).toMatch(
      /first recorded sign of the problem was at [^(]*\((instructure status read as major_outage|the incident was opened)\)/,
    );
  });

  it('an old incident that affects a component we read as failing still counts', async () => {
    const md = await postmortemWatching('Reporting');
    expect(md).toMatch(/first recorded sign of the problem was at 2021-12-07[^(]*\(instructure's status page opened "Amazon Web Services/);
  });
});

/**
 * Watched components the page does not have, pages whose components are not a
 * components list, and names repeated across groups (issue 10, items 1 and 2).
 * `check`, the check_status step and `providers` judge a page the same way.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSummary, watchedComponents } from '../../src/providers/statuspage.js';
import { check_status } from '../../src/steps/check-status.js';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import {
  FIXTURES,
  openIncident,
  runCliAsync,
  sendJson,
  startServer,
  stepRun,
  tempDir,
  tempProject,
  testContext,
  type TestServer,
} from './helpers.js';

const load = (f: string) => JSON.parse(readFileSync(join(FIXTURES, 'statuspage', f), 'utf8'));

/** A page shaped like Qualys's: the same component name under several platform groups. */
function repeatedNamesPage() {
  const name = 'Global AssetView (GAV) /CyberSecurity Asset Management (CSAM)';
  const platforms = ['US Platform 1', 'US Platform 2', 'EU Platform 1', 'EU Platform 2', 'India Platform'];
  const components: unknown[] = [];
  platforms.forEach((p, i) => {
    components.push({
      id: `grp${i}`,
      name: p,
      status: i === 2 ? 'major_outage' : 'operational',
      group: true,
      group_id: null,
      components: [`cmp${i}`],
    });
    components.push({ id: `cmp${i}`, name, status: i === 2 ? 'major_outage' : 'operational', group: false, group_id: `grp${i}` });
  });
  return {
    name,
    platforms,
    doc: {
      page: { id: 'q' },
      status: { indicator: 'major', description: 'Partial' },
      components,
      incidents: [],
      scheduled_maintenances: [],
    },
  };
}

describe('watched components (parsing)', () => {
  it('a name the page lacks is missing, with the nearest names on the real GitHub capture', () => {
    const r = parseSummary(load('github-components.json'), ['API Request', 'Webhooks']);
    expect(r.missing).toEqual([{ name: 'API Request', suggestions: ['API Requests'] }]);
    expect(r.components.map((c) => c.name)).toEqual(['Webhooks']);
    expect(r.status).toBe('unknown');
  });

  it('components that are not a list of component objects are malformed', () => {
    expect(watchedComponents([[[['x']]]], ['API']).malformed).toMatch(/item 1 is not a component object/);
    expect(watchedComponents({ a: 1 }, undefined).malformed).toMatch(/not a list/);
    expect(parseSummary({ status: { indicator: 'none' }, components: [[[[]]]] }).malformed).toBeDefined();
    expect(watchedComponents(load('github-components.json').components, undefined).malformed).toBeUndefined();
  });

  it('"Group/Name" picks one component of one group; a bare repeated name is ambiguous and lists the groups', () => {
    const { name, platforms, doc } = repeatedNamesPage();
    const one = parseSummary(doc, [`EU Platform 1/${name}`]);
    expect(one.components).toEqual([{ name, status: 'major_outage', group: 'EU Platform 1', id: 'cmp2' }]);
    expect(one.ambiguous).toEqual([]);
    const other = parseSummary(doc, [`US Platform 1 / ${name}`]);
    expect(other.status).toBe('operational');
    const bare = parseSummary(doc, [name]);
    expect(bare.components).toHaveLength(platforms.length);
    expect(bare.ambiguous).toEqual([{ name, groups: platforms }]);
    expect(parseSummary(doc, ['cmp3']).components).toEqual([{ name, status: 'operational', group: 'EU Platform 2', id: 'cmp3' }]);
    expect(parseSummary(doc, ['grp2']).status).toBe('major_outage');
  });

  it('the real instructure capture: a component by its id', () => {
    const doc = load('instructure-summary.json');
    const c = doc.components.find((x: { group: boolean }) => !x.group);
    expect(parseSummary(doc, [c.id]).components.map((x) => x.name)).toEqual([c.name]);
  });
});

describe('payctl check, providers and check_status agree (built binary, real HTTP)', () => {
  let sb: SandboxHandle;
  beforeAll(async () => {
    sb = await startSandbox({ fault: 'stripe:down' });
  });
  afterAll(() => sb.close());

  function project(components: string[]): string {
    const dir = tempDir('payctl-components-');
    const cfg = sb.configObject() as { providers: Record<string, { components?: string[] }> };
    cfg.providers.stripe!.components = components;
    writeFileSync(join(dir, 'payctl.config.yaml'), stringify(cfg));
    return dir;
  }

  it('a misspelt component with stripe down: unreadable, exit 4, the nearest name, the same in check, providers and check_status', async () => {
    const dir = project(['Card Payment']);
    const r = await runCliAsync(['check'], { cwd: dir, env: sb.env() });
    expect(r.code).toBe(4);
    expect(r.stdout).not.toContain('all healthy');
    expect(r.stdout).toMatch(/stripe\s+primary\s+unknown\s+UNHEALTHY/);
    expect(r.stdout).toContain(`no component "Card Payment" (did you mean 'Card payments'?)`);
    const json = await runCliAsync(['check', '--json'], { cwd: dir, env: sb.env() });
    expect(json.code).toBe(4);
    const snap = JSON.parse(json.stdout);
    expect(snap.healthy).toBe(false);
    expect(snap.providers.find((p: { provider: string }) => p.provider === 'stripe')).toMatchObject({ healthy: false, status: 'unknown' });

    const prov = await runCliAsync(['providers', '--json'], { cwd: dir, env: sb.env() });
    const stripe = JSON.parse(prov.stdout).providers.find((p: { name: string }) => p.name === 'stripe');
    expect(stripe.status).toBe('unknown');
    expect(stripe.error).toContain("did you mean 'Card payments'?");

    const { ctx } = testContext(dir, sb.env());
    const session = await openIncident(ctx);
    const step = await check_status(stepRun(ctx, session, { id: 's', type: 'check_status', provider: 'stripe' } as never));
    expect(step.outcome).toBe('failed');
    expect(step).toMatchObject({ error: expect.stringContaining("did you mean 'Card payments'?"), retryable: false });
  });

  it('the correct name still reads the outage', async () => {
    const r = await runCliAsync(['check'], { cwd: project(['Card payments']), env: sb.env() });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/stripe\s+primary\s+major_outage\s+UNHEALTHY\s+Payments\/Card payments: major_outage/);
  });
});

describe('a page whose components are not a list of objects', () => {
  let srv: TestServer;
  afterEach(() => srv?.close());

  it('is unreadable: exit 4, not "all healthy"', async () => {
    srv = await startServer({
      '/api/v2/summary.json': (_q, res) => sendJson(res, 200, { status: { indicator: 'none' }, components: [[[[{ name: 'x' }]]]] }),
    });
    const dir = tempProject(`providers:\n  stripe:\n    kind: processor\n    statuspage: ${srv.url}\n`);
    const r = await runCliAsync(['check'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stdout).not.toContain('all healthy');
    expect(r.stdout).toContain('not a Statuspage summary: "components" item 1 is not a component object');
  });

  it('a repeated bare name is a warning that lists the groups', async () => {
    const { name, doc } = repeatedNamesPage();
    srv = await startServer({ '/api/v2/summary.json': (_q, res) => sendJson(res, 200, doc) });
    const dir = tempProject(`providers:\n  qualys:\n    kind: processor\n    statuspage: ${srv.url}\n    components: ["${name}"]\n`);
    const r = await runCliAsync(['check'], { cwd: dir });
    expect(r.stderr).toContain(
      `warning: qualys: component "${name}" is in 5 groups (US Platform 1, US Platform 2, EU Platform 1, EU Platform 2, India Platform)`,
    );
    expect(r.stdout).toContain(`EU Platform 1/${name}: major_outage`);
  });
});

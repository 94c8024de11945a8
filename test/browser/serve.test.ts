/**
 * The live incident page in a real browser: Debian's Chromium driven by
 * playwright-core. The built `payctl serve --port 0` runs on a temp project
 * (a directory store, and PostgreSQL when the test server is there); another
 * payctl process opens an incident, which appears on the open page, and adds a
 * note, which arrives on the incident's page without a reload. Screenshots
 * are kept in test-artifacts/ (ignored by git; CI can keep the directory).
 *
 * Chromium: /usr/bin/chromium (CHROMIUM_PATH overrides; .ci/chromium.sh
 * installs it). Without it the test fails in CI and is skipped, saying so,
 * elsewhere.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeNeeding } from '../helpers/needs.js';
import { describeWithPostgres, freshDatabase } from '../helpers/postgres.js';
import { REPO, runCliAsync } from '../helpers/run-cli.js';
import { killServers, spawnServe } from '../helpers/serve.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAUNCH_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];
const ARTIFACTS = join(REPO, 'test-artifacts');

/** describe() for tests that need Chromium. */
function describeWithChromium(name: string, body: () => void): void {
  describeNeeding(
    {
      present: existsSync(CHROMIUM),
      what: 'Chromium',
      missingInCI: `${CHROMIUM} is missing: in CI the browser tests run in Chromium (.ci/chromium.sh installs it, run by .ci/run)`,
      skipped: `no Chromium at ${CHROMIUM}; install it (apt-get install chromium, or .ci/chromium.sh) or set CHROMIUM_PATH`,
    },
    name,
    body,
  );
}

const PLAYBOOK = `id: page-check
title: A one-step playbook for the page test
severity: sev3
steps:
  - id: look
    type: manual
    title: Look at the dashboards
    instructions: Check the payment dashboards.
`;

/** A project with one small playbook; the store comes from env (a directory by default). */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-browser-'));
  mkdirSync(join(dir, 'playbooks'));
  writeFileSync(join(dir, 'playbooks', 'page-check.yaml'), PLAYBOOK);
  return dir;
}

let browser: Browser | undefined;
async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_FLAGS });
  return browser;
}
afterEach(killServers);
afterAll(async () => browser?.close());

const TITLE = 'Checkout failing <img src=x onerror="window.__xss=1">';

function pageScenario(name: string, setup: () => Promise<NodeJS.ProcessEnv>) {
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    env = await setup();
  });

  it(`${name}: an incident opened by another payctl appears on the open page, then a note arrives live on its page`, async () => {
    const cwd = project();
    const server = spawnServe(['--port', '0'], cwd, env);
    const url = await server.firstLine;
    const b = await launch();
    const context = await b.newContext({ viewport: { width: 1000, height: 900 } });
    const page: Page = await context.newPage();
    const failed: string[] = [];
    page.on('console', (m) => m.type() === 'error' && failed.push(m.text()));
    page.on('pageerror', (e) => failed.push(e.message));
    try {
      await page.goto(url);
      await expect.poll(() => page.locator('#live-status').textContent()).toContain('Live:');
      expect(await page.locator('h1').textContent()).toBe('Incidents');

      const started = await runCliAsync(['incident', 'start', '--playbook', 'page-check', '--title', TITLE, '--yes', '--json'], {
        cwd,
        env,
      });
      expect(started.code, started.stderr).toBe(0);
      const id = JSON.parse(started.stdout).incident as string;
      // no reload: the list arrives over the page's event stream
      const link = page.getByRole('link', { name: TITLE });
      await link.waitFor({ timeout: 10_000 });
      expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `serve-list-${name}.png`), fullPage: true });

      await link.click();
      await page.waitForURL(`**/incidents/${id}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(TITLE);
      for (const h of ['Status', 'Roles', 'Traffic routing', 'Messages sent', 'Postmortem', 'Timeline'])
        await expect.poll(() => page.getByRole('heading', { level: 2, name: h }).count()).toBe(1);
      expect(await page.locator('.status').first().textContent()).toBe('investigating');
      await expect.poll(() => page.locator('#live-status').textContent()).toContain('Live:');
      // a marker that a reload would wipe
      await page.evaluate(() => ((globalThis as { __loaded?: string }).__loaded = 'once'));

      const note = 'adyen looks healthy <script>window.__xss=2</script>';
      const noted = await runCliAsync(['incident', 'note', id, note], { cwd, env });
      expect(noted.code, noted.stderr).toBe(0);
      await page.locator('#timeline li', { hasText: `note: ${note}` }).waitFor({ timeout: 10_000 });
      const assigned = await runCliAsync(['incident', 'status', id, 'monitoring'], { cwd, env });
      expect(assigned.code, assigned.stderr).toBe(0);
      await expect.poll(() => page.locator('.status').first().textContent(), { timeout: 10_000 }).toBe('monitoring');
      expect(await page.evaluate(() => (globalThis as { __loaded?: string }).__loaded)).toBe('once');
      expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
      await page.screenshot({ path: join(ARTIFACTS, `serve-incident-${name}.png`), fullPage: true });
      console.log(`  ${name}: screenshots in test-artifacts/serve-list-${name}.png and serve-incident-${name}.png`);
      expect(failed).toEqual([]);
    } finally {
      await context.close();
    }
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  }, 60_000);

  it(`${name}: without JavaScript the page is whole, and says how to see changes`, async () => {
    const cwd = project();
    const started = await runCliAsync(['incident', 'start', '--playbook', 'page-check', '--title', 'No script here', '--yes'], {
      cwd,
      env,
    });
    expect(started.code, started.stderr).toBe(0);
    const server = spawnServe(['--port', '0'], cwd, env);
    const url = await server.firstLine;
    const context = await (await launch()).newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.getByRole('link', { name: 'No script here' }).click();
      expect(await page.getByRole('heading', { level: 2, name: 'Timeline' }).count()).toBe(1);
      expect(await page.locator('#timeline li').count()).toBeGreaterThan(3);
      expect(await page.locator('#live-status').textContent()).toContain('reload the page to see changes');
      expect(await page.getByRole('main').count()).toBe(1);
    } finally {
      await context.close();
    }
  }, 60_000);
}

describeWithChromium('the live incident page in Chromium (directory store)', () => {
  pageScenario('directory', async () => ({}));
});

describeWithChromium('the live incident page in Chromium (PostgreSQL store)', () => {
  describeWithPostgres('on PostgreSQL', () => {
    pageScenario('postgres', async () => {
      const url = await freshDatabase();
      return { PAYCTL_STORE: 'env:PAYCTL_DATABASE_URL', PAYCTL_DATABASE_URL: url };
    });
  });
});

/**
 * `payctl serve` as a user runs it: the built binary spawned, the URL on
 * stdout, Ctrl-C ends it with exit 0, bad flags are exit 2, the token from
 * the environment guards the page and is never printed.
 */
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCliAsync } from '../helpers/run-cli.js';
import { killServers, spawnServe } from '../helpers/serve.js';

const TOKEN = 'cli-serve-token-0123456789abcdef';
afterEach(killServers);

const project = () => mkdtempSync(join(tmpdir(), 'payctl-serve-cli-'));

describe('payctl serve (the built CLI)', () => {
  it('prints the URL on stdout, serves the page, and ends with exit 0 on Ctrl-C', async () => {
    const s = spawnServe(['--port', '0'], project());
    const url = await s.firstLine;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('No open incidents.');
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toContain('stopping (Ctrl-C)');
    expect(hasStackTrace(s.stderr())).toBe(false);
  });

  it('the token from PAYCTL_SERVE_TOKEN guards the page and is printed nowhere; --json prints the address', async () => {
    const s = spawnServe(['--port', '0', '--json'], project(), { PAYCTL_SERVE_TOKEN: TOKEN });
    await s.firstLine;
    await new Promise((r) => setTimeout(r, 100));
    const doc = JSON.parse(s.stdout());
    expect(doc).toMatchObject({ host: '127.0.0.1', token_required: true });
    expect((await fetch(doc.url)).status).toBe(401);
    expect((await fetch(doc.url, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.stdout() + s.stderr()).not.toContain(TOKEN);
    expect(s.stderr()).toContain('?token=<your token>');
  });

  it('listening beyond loopback without a token says who can read the page', async () => {
    const s = spawnServe(['--port', '0', '--host', '0.0.0.0'], project());
    // every interface: the URL names this machine, which others can open (not 0.0.0.0)
    expect(await s.firstLine).toMatch(new RegExp(`^http://${hostname().replace(/\./g, '\\.')}:\\d+/$`));
    await new Promise((r) => setTimeout(r, 200));
    expect(s.stderr()).toContain('without an access token: anyone who can reach this address reads your incidents');
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
  });

  it('bad flags are exit 2 with the rule, no stack trace: a port, a short token, a port in use', async () => {
    const cwd = project();
    const port = await runCliAsync(['serve', '--port', 'http'], { cwd });
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port: "http" is not a port number');
    const short = await runCliAsync(['serve', '--port', '0', '--token', 'abc'], { cwd });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 16 characters');
    expect(short.stderr).not.toContain('abc\n');

    const first = spawnServe(['--port', '0'], cwd);
    const taken = new URL(await first.firstLine).port;
    const again = await runCliAsync(['serve', '--port', taken], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`port ${taken} on 127.0.0.1 is already in use`);
    for (const r of [port, short, again]) expect(hasStackTrace(r.stderr)).toBe(false);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
  });
});

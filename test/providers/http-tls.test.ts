// The HTTP stack end to end over TLS: the built payctl reads a status page
// from a local https server (a certificate made for the test with openssl,
// trusted through NODE_EXTRA_CA_CERTS as a company CA would be), directly and
// through HTTPS_PROXY (a CONNECT tunnel), with DEBUG=* set: the proxy's
// password never reaches the output. An https page that redirects to plain
// http is not followed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.js';
import { runCliAsync, sendJson, startServer, tempDir, tempProject, type TestServer } from './helpers.js';

let certDir: string;
let tls: Server;
let tlsUrl: string;
let plain: TestServer;
let proxy: ForwardProxy;
const served: string[] = [];

const summary = {
  page: { id: 'p', name: 'Stripe' },
  status: { indicator: 'none', description: 'All Systems Operational' },
  components: [{ id: 'c1', name: 'API', status: 'operational' }],
  incidents: [],
};

beforeAll(async () => {
  certDir = tempDir('payctl-tls-');
  await execa('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    join(certDir, 'key.pem'),
    '-out',
    join(certDir, 'cert.pem'),
  ]);
  plain = await startServer();
  plain.route('/api/v2/summary.json', (_r, res) => sendJson(res, 200, summary));
  tls = createServer(
    { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) },
    (req, res: ServerResponse) => {
      served.push(req.url ?? '');
      if (req.url?.startsWith('/downgrade/')) return res.writeHead(301, { location: `${plain.url}/api/v2/summary.json` }).end();
      if (req.url?.endsWith('/api/v2/summary.json')) return sendJson(res, 200, summary);
      res.writeHead(404).end();
    },
  );
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  tlsUrl = `https://127.0.0.1:${(tls.address() as { port: number }).port}`;
  proxy = await startForwardProxy();
});
afterAll(async () => {
  tls.closeAllConnections();
  await new Promise((r) => tls.close(r));
  await plain.close();
  await proxy.close();
});

function project(statuspage: string): string {
  return tempProject(`providers:\n  stripe:\n    kind: stripe\n    statuspage: ${statuspage}\n    components: [API]\n`);
}

const trust = () => ({ NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem') });

describe('payctl over https', () => {
  it('reads an https status page', async () => {
    const before = served.length;
    const r = await runCliAsync(['check', '--json'], { cwd: project(tlsUrl), env: trust() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).providers[0]).toMatchObject({ provider: 'stripe', status: 'operational' });
    expect(served.slice(before)).toContain('/api/v2/summary.json');
  });

  it('goes through HTTPS_PROXY with a CONNECT tunnel, and DEBUG=* does not print the proxy password', async () => {
    const before = proxy.seen.length;
    const env = { ...trust(), HTTPS_PROXY: proxy.url.replace('http://', 'http://ops:pr0xy-s3cret@'), DEBUG: '*' };
    // by name: https-proxy-agent checks a tunnelled certificate against the host name only (an IP is checked as "localhost")
    const byName = tlsUrl.replace('127.0.0.1', 'localhost');
    const r = await runCliAsync(['check', '--json'], { cwd: project(byName), env });
    expect(r.code).toBe(0);
    expect(proxy.seen.slice(before)).toEqual([`CONNECT ${byName.slice('https://'.length)}`]);
    expect(r.stdout + r.stderr).not.toContain('pr0xy-s3cret');
  });

  it('does not follow an https page that redirects to plain http', async () => {
    const before = plain.requests.length;
    const r = await runCliAsync(['check', '--json'], { cwd: project(`${tlsUrl}/downgrade`), env: trust() });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('redirected from https to http');
    expect(plain.requests.length).toBe(before);
  });
});

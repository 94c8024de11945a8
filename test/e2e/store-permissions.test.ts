/**
 * A store the user may not write (another user's, or a shared directory with
 * the wrong owner): writing commands stop with the path, "permission denied"
 * and what to do (exit 1), never "This is a bug in payctl"; reading commands
 * still work. Run as `nobody` when the tests run as root (root may write
 * anything), else with the store made read-only.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { DirectoryStore } from '../../src/store/directory.js';
import { BIN, hasStackTrace } from '../helpers/run-cli.js';

const asRoot = process.getuid?.() === 0;
/** As root the test runs payctl as nobody, who must be able to read the checkout (not so under a private home). */
const nobodyCanRun =
  !asRoot ||
  spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(BIN)})`], {
    stdio: 'ignore',
  }).status === 0;
if (!nobodyCanRun)
  console.warn('store-permissions.test.ts: SKIPPED: the user nobody cannot read this checkout (runuser, or a private directory)');
let dir: string;
const id = '20260101-000000-perm';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'payctl-perm-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'payctl.config.yaml'), 'store: .payctl/incidents\n');
  mkdirSync(join(dir, 'playbooks'));
  writeFileSync(
    join(dir, 'playbooks', 'tiny.yaml'),
    'id: tiny\ntitle: Tiny\nseverity: sev3\nsteps:\n  - { id: s, type: set_status, title: Identified, status: identified }\n',
  );
  const store = new DirectoryStore(join(dir, '.payctl', 'incidents'));
  const w = await store.create(id, { actor: 'owner' });
  await w.appendAll([{ type: 'incident_opened', data: { id, title: 'Not yours', severity: 'sev2', dry_run: false, source: 'test' } }]);
  await w.close();
  if (!asRoot) for (const d of [join(dir, '.payctl', 'incidents', id), join(dir, '.payctl', 'incidents')]) chmodSync(d, 0o555);
});

function payctl(...args: string[]) {
  const cmd = asRoot ? 'runuser' : process.execPath;
  const argv = asRoot ? ['-u', 'nobody', '--', process.execPath, BIN, ...args] : [BIN, ...args];
  const r = spawnSync(cmd, argv, {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, PAYCTL_ACTOR: 'someone', NO_COLOR: '1', CI: '1' },
    timeout: 30_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

it.skipIf(!nobodyCanRun)('a note, a start and a dry run stop with permission denied and what to do; listing and showing still work', () => {
  for (const args of [
    ['incident', 'note', id, 'hello'],
    ['incident', 'start', '-p', 'tiny', '--yes'],
    ['incident', 'start', '-p', 'tiny', '--yes', '--dry-run'],
  ]) {
    const r = payctl(...args);
    expect(r.code, `${args.join(' ')}\n${r.out}`).toBe(1);
    expect(r.out).toMatch(/cannot write .*: permission denied \(EACCES\)/);
    expect(r.out).toContain('run payctl as a user who may write there');
    expect(r.out).not.toContain('This is a bug');
    expect(hasStackTrace(r.out)).toBe(false);
  }
  const list = payctl('incident', 'list');
  expect(list.code, list.out).toBe(0);
  expect(list.out).toContain(id);
  expect(payctl('incident', 'show', id).code).toBe(0);
});

import { it } from 'vitest';
import pty from 'node-pty';
import { BIN } from '/work/wt/start/test/engine/helpers.js';
import { sandboxProject } from '/work/wt/start/test/helpers/sandbox-project.js';
it('screen', async () => {
  const p = await sandboxProject({ fault: process.env.FAULT ?? 'stripe:down' });
  const t = pty.spawn(process.execPath, [BIN, 'incident', 'start'], { cwd: p.dir, cols: 160, rows: 50, env: { PATH: process.env.PATH!, PAYCTL_ACTOR: 'pty', TERM: 'xterm', NO_COLOR: '1', ...p.env } });
  let all = ''; t.onData((d) => (all += d));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (const k of (process.env.KEYS ?? '\r,y\r,y\r').split(',')) { await sleep(2500); t.write(k); }
  await sleep(8000); t.write('\x03'); await sleep(1000);
  console.log(all.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''));
  await p.close();
}, 60000);

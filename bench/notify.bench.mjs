// A notify step to 5 channels (Slack, Statuspage, email, banner and social
// webhooks; every API answering after 100 ms) vs the same step to one channel.
// Channels are sent concurrently, so the ratio should be about 1, not 5.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, printRatio, timeOnce } from './lib.mjs';
import { startSandboxProcess } from './sandbox-process.mjs';

const bin = fileURLToPath(new URL('../bin/payctl.cjs', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 9);
const dir = mkdtempSync(join(tmpdir(), 'payctl-bench-notify-'));
mkdirSync(join(dir, 'playbooks'));
mkdirSync(join(dir, 'templates', 'messages'), { recursive: true });
writeFileSync(
  join(dir, 'templates', 'messages', 'bench-notice.yaml'),
  'description: bench\nstatuspage: { title: "Payment issues", body: "Some payments fail" }\nemail: { subject: "Payments", body: "Some payments fail" }\nbanner: "Some payments fail"\nsocial: "Some payments fail"\nslack: "Incident {{ incident.id }}: payments failing"\n',
);
const playbook = (id, channels) =>
  `id: ${id}\ntitle: Bench ${id}\nsteps:\n  - id: tell\n    title: Tell\n    type: notify\n    template: bench-notice\n    channels: [${channels.join(', ')}]\n`;
writeFileSync(join(dir, 'playbooks', 'notify-five.yaml'), playbook('notify-five', ['slack', 'statuspage', 'email', 'banner', 'social']));
writeFileSync(join(dir, 'playbooks', 'notify-one.yaml'), playbook('notify-one', ['slack']));

const faults = 'slack:latency=100ms,statuspage:latency=100ms,webhook:latency=100ms';
const sb = await startSandboxProcess({ providers: ['stripe', 'adyen'], faults, dir });
const opts = { cwd: dir, env: { ...process.env, ...sb.env, NO_COLOR: '1', CI: '1' } };
const start = (id) => () => timeOnce(process.execPath, [bin, 'incident', 'start', '--playbook', id, '--yes'], opts);
try {
  const medians = interleaved(
    [
      { name: 'notify 1 channel (slack, 100 ms)', run: start('notify-one') },
      { name: 'notify 5 channels (each 100 ms)', run: start('notify-five') },
    ],
    runs,
  );
  printRatio(
    `one notify step, whole incident start (median of ${runs} interleaved runs)`,
    medians,
    'notify 1 channel (slack, 100 ms)',
    1.5,
  );
} finally {
  sb.stop();
}

/**
 * payctl demo: a whole outage handled against the built-in sandbox. Stripe is
 * down, Adyen healthy; processor-outage runs (prompting on a terminal,
 * unattended otherwise); Stripe recovers a few seconds after traffic moves;
 * the playbook fails back; the postmortem draft is written.
 */
import { relative } from 'node:path';
import type { Context } from '../context.js';
import { formatElapsed } from '../duration.js';
import { findPlaybookOrBundled } from '../playbook/bundled.js';
import { runOnSandbox } from '../drill/on-sandbox.js';
import { closeRehearsal, runWithDrillAnswers } from '../drill/run.js';
import type { EscalateResult, NotifyResult } from '../timeline/results.js';
import { writePostmortem } from './postmortem.js';
import { payctlCommand } from '../invocation.js';

export interface DemoOptions {
  yes?: boolean;
  json?: boolean;
}

const PLAYBOOK = 'processor-outage';
/** How long after traffic leaves the failing processor it "recovers" in the sandbox… */
const RECOVERS_AFTER_MS = 4000;
/** …or at the latest, when nobody moved traffic. */
const RECOVERS_AT_LATEST_MS = 30_000;

export async function demo(ctx: Context, opts: DemoOptions): Promise<void> {
  const started = Date.now();
  const mine = ctx.config();
  const pb = findPlaybookOrBundled(mine.playbooksDir, PLAYBOOK, ctx.cwd);
  const canPrompt = ctx.canPrompt && !opts.yes;
  const on = await runOnSandbox(ctx, { fault: 'stripe:down', yes: !canPrompt, json: opts.json, canPrompt });
  const say = (text: string) => (ctx.out.jsonMode ? ctx.out.info(text) : ctx.out.line(text));
  const c = ctx.out.color;
  say(
    c.bold('payctl demo') +
      ': the sandbox emulates Stripe, Adyen and Braintree, a routing switch, PagerDuty, Slack, Statuspage and Prometheus',
  );
  say(
    `  sandbox at ${on.sandbox.url}; ${c.red('stripe is down')}, adyen is healthy. Running the ${PLAYBOOK} playbook${canPrompt ? ' (Enter accepts a default; answer y to approve moving traffic)' : ' unattended'}.\n`,
  );

  // The processor recovers a little after traffic moves away from it (so the playbook can fail back).
  const recovery = setInterval(() => {
    const moved = on.sandbox.requests().some((r) => r.method === 'POST' && r.path.endsWith('/routing/default'));
    if (moved || Date.now() - started > RECOVERS_AT_LATEST_MS) {
      clearInterval(recovery);
      setTimeout(() => on.sandbox.heal('stripe'), RECOVERS_AFTER_MS).unref();
    }
  }, 250);
  recovery.unref();

  try {
    // the drill's answers (short waits), so the demo finishes in seconds
    const report = await runWithDrillAnswers(on.ctx, pb, 'Demo: Stripe outage, card payments failing', 'demo');
    if (report.error) {
      await closeRehearsal(on.ctx, report, 'demo');
      throw report.error;
    }
    const written = await writePostmortem(on.ctx, report.incident);
    const s = report.state;
    const steps = s.step_order.map((id) => s.steps[id]!);
    const notified = new Set<string>();
    for (const st of steps.filter((x) => x.type === 'notify' && x.result)) {
      for (const [ch, r] of Object.entries((st.result as unknown as NotifyResult).channels)) if (r.ok) notified.add(ch);
    }
    const escalations = steps.filter((x) => x.type === 'escalate' && x.status === 'ok').map((x) => x.result as unknown as EscalateResult);
    const since = (m: string | undefined) => (s.milestones.detected && m ? Date.parse(m) - Date.parse(s.milestones.detected) : null);
    const ttm = since(s.milestones.mitigated);
    const ttr = since(s.milestones.resolved);
    const summary = {
      incident: report.incident,
      status: s.status,
      postmortem: written.file,
      time_to_mitigate_ms: ttm,
      channels_notified: [...notified].sort(),
      escalation: escalations.map((e) => ({ provider: e.provider, action: e.action, dedup_key: e.dedup_key })),
      failed_back: Boolean(s.milestones.failed_back),
      duration_ms: Date.now() - started,
    };
    if (ctx.out.jsonMode) {
      ctx.out.json(summary);
      return;
    }
    const rel = relative(ctx.cwd, written.file) || written.file;
    ctx.out.line();
    ctx.out.line(
      s.status === 'resolved'
        ? c.bold(
            `Outage handled in ${formatElapsed(summary.duration_ms)} — incident ${report.incident} is resolved${ttr === null ? '' : `, ${formatElapsed(ttr)} after detection`}.`,
          )
        : c.bold(
            `Demo stopped after ${formatElapsed(summary.duration_ms)} — incident ${report.incident} is still ${s.status}: a step was declined or did not succeed (see payctl incident show ${report.incident}).`,
          ),
    );
    ctx.out.line(
      `  time to mitigate:   ${ttm === null ? 'not mitigated (traffic was not moved)' : `${formatElapsed(ttm)} (traffic moved to adyen, verified)`}`,
    );
    ctx.out.line(`  customers and team: ${summary.channels_notified.join(', ') || 'nobody'}`);
    ctx.out.line(
      `  escalation:         ${escalations.length ? escalations.map((e) => `${e.provider} ${e.action}`).join(', ') + ' (paged once, dedup key per incident)' : 'none'}`,
    );
    ctx.out.line(`  failback:           ${summary.failed_back ? 'traffic back on stripe' : 'not done'}`);
    ctx.out.line(`  postmortem draft:   ${rel}`);
    // the command as it works where the user is; the scorecard leaves rehearsals out, so it counts this one only when asked
    const payctl = payctlCommand(ctx.env, ctx.cwd);
    ctx.out.line(
      c.dim(`\nNext: ${payctl} incident show ${report.incident}   ·   open ${rel}   ·   ${payctl} providers report --include-drills`),
    );
  } finally {
    clearInterval(recovery);
    await on.close();
  }
}

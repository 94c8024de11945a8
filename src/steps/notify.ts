/**
 * notify: one message template to several channels, concurrently. Each channel
 * gets its own variant of the template (messageChannelFor) and its own
 * idempotency key (`<step key>-<channel>`); each result is recorded separately.
 * Each channel that takes the message is recorded at once (channel_sent), so a
 * retry of the step, after a kill or by its retry policy, posts only to the
 * channels that did not take it.
 *
 * Outcome: ok when at least one channel took the message (failures are listed
 * in the result and in the warning, so the engine prints ⚠); failed (retryable when any failure was) only
 * when every channel failed. A failing channel never blocks the others.
 */
import type { StepHandler } from '../engine/types.js';
import type { StepOf } from '../playbook/schema.js';
import type { ChannelResult, NotifyResult } from '../timeline/results.js';
import { messageChannelFor, renderMessage } from '../messages/render.js';
import { httpClientFor } from '../providers/http.js';
import { channelConfig, failedChannels, sendToChannel, type ChannelSendResult } from '../providers/channels.js';
import { messageOf } from '../errors.js';
import { messageScope } from './message-scope.js';

export const notify: StepHandler<StepOf<'notify'>> = async (run) => {
  const loaded = run.ctx.config();
  const { step } = run;
  const http = httpClientFor(run.ctx, { dryRun: run.dryRun, log: run.log });
  let scope;
  try {
    scope = await messageScope(loaded.templatesDir, step.template, run.scope, step.vars);
  } catch (e) {
    return { outcome: 'failed', error: messageOf(e), retryable: false };
  }
  const deps = { config: loaded.config, http, env: run.ctx.env, signal: run.signal, state: run.incident.state() };
  // channels an earlier attempt reached (then was killed, or failed elsewhere): not posted to twice
  const sentBefore = new Set(run.dryRun ? [] : (run.incident.state().steps[step.id]?.sent ?? []));

  const settled = await Promise.allSettled(
    step.channels.map(async (name): Promise<ChannelSendResult> => {
      if (sentBefore.has(name)) return { ok: true, earlier: true, summary: `${name}: already sent by an earlier attempt; not sent again` };
      const message = await renderMessage(loaded.templatesDir, step.template, messageChannelFor(channelConfig(loaded.config, name)), scope);
      const r = await sendToChannel(deps, name, message, scope, `${run.idempotencyKey}-${name}`);
      // on disk as soon as the channel took it, before the other channels answer
      if (r.ok && !run.dryRun)
        await run.incident.append({ type: 'channel_sent', step: step.id, data: { channel: name, attempt: run.attempt } });
      return r;
    }),
  );
  const channels: Record<string, ChannelResult> = {};
  let anyRetryable = false;
  settled.forEach((s, i) => {
    const name = step.channels[i]!;
    const r: ChannelSendResult =
      s.status === 'fulfilled' ? s.value : { ok: false, error: messageOf(s.reason), summary: `${name}: FAILED: ${messageOf(s.reason)}` };
    run.log(r.summary);
    if (!r.ok && r.retryable) anyRetryable = true;
    const { summary: _s, retryable: _r, ...rec } = r;
    channels[name] = rec;
  });
  const result: NotifyResult & { dry_run?: boolean } = { template: step.template, channels, ...(run.dryRun ? { dry_run: true } : {}) };
  const ok = Object.entries(channels)
    .filter(([, c]) => c.ok)
    .map(([n]) => n);
  const failed = Object.entries(channels).filter(([, c]) => !c.ok);
  if (ok.length === 0) {
    return {
      outcome: 'failed',
      error: `no channel took the message: ${failed.map(([n, c]) => `${n}: ${c.error}`).join('; ')}`,
      retryable: anyRetryable,
      result: { ...result },
    };
  }
  const verb = run.dryRun ? 'would notify' : 'notified';
  const warning = failedChannels(failed);
  return { outcome: 'ok', result: { ...result }, message: `${verb} ${ok.join(', ')}`, ...(warning ? { warning } : {}) };
};

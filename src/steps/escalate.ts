/**
 * escalate: page through the provider's escalation.pagerduty_channel (Events
 * v2) and send an email-style ticket to escalation.ticket_channel, rendered
 * from the step's template (vars.provider defaults to the provider).
 *
 * Dedup: the first trigger for a provider uses this step's idempotency key as
 * dedup_key; later escalate steps for the same provider in the same incident
 * (follow-ups, acknowledge, resolve) reuse that key, so PagerDuty sees one
 * alert and a resumed or repeated step never pages twice.
 * Outcome as notify: ok when at least one channel succeeded (with a warning
 * naming the channels that failed).
 */
import type { StepHandler } from '../engine/types.js';
import type { StepOf, Severity } from '../playbook/schema.js';
import type { ChannelResult, EscalateResult } from '../timeline/results.js';
import type { IncidentState } from '../timeline/replay.js';
import { InvalidInputError, messageOf } from '../errors.js';
import { messageChannelFor, renderMessage } from '../messages/render.js';
import { resolveSecret } from '../secrets.js';
import { HttpError, httpClientFor } from '../providers/http.js';
import { sendPagerDutyEvent, SEVERITY_TO_PAGERDUTY } from '../providers/pagerduty.js';
import { channelConfig, failedChannels, sendToChannel } from '../providers/channels.js';
import { knownProvider } from '../providers/provider-status.js';
import { messageScope } from './message-scope.js';

/** The dedup_key of an earlier escalation of this provider in this incident. */
export function earlierDedupKey(state: IncidentState, provider: string, currentStep: string): string | undefined {
  for (const id of state.step_order) {
    if (id === currentStep) continue;
    const st = state.steps[id];
    const r = st?.result as Partial<EscalateResult> | undefined;
    if (st?.type === 'escalate' && r?.provider === provider && typeof r.dedup_key === 'string' && r.dedup_key) return r.dedup_key;
  }
  return undefined;
}

export const escalate: StepHandler<StepOf<'escalate'>> = async (run) => {
  const loaded = run.ctx.config();
  const { step } = run;
  const provider = step.to;
  const action = step.action ?? 'trigger';
  let esc;
  let scope;
  try {
    esc = knownProvider(loaded.config, provider).escalation;
    if (!esc?.pagerduty_channel && !esc?.ticket_channel) {
      throw new InvalidInputError(
        `provider ${provider} has no escalation channels`,
        `set providers.${provider}.escalation.pagerduty_channel and/or ticket_channel in the config`,
      );
    }
    scope = await messageScope(loaded.templatesDir, step.template, run.scope, step.vars, { provider });
  } catch (e) {
    return { outcome: 'failed', error: messageOf(e), retryable: false };
  }
  const state = run.incident.state();
  const earlier = earlierDedupKey(state, provider, step.id);
  if (action !== 'trigger' && !earlier) {
    return {
      outcome: 'failed',
      error: `nothing to ${action}: no earlier escalate step paged about ${provider} in this incident`,
      retryable: false,
    };
  }
  const dedupKey = earlier ?? run.idempotencyKey;
  const http = httpClientFor(run.ctx, { dryRun: run.dryRun, log: run.log });
  const severity = (step.severity ?? (scope.incident as { severity?: Severity } | undefined)?.severity ?? 'sev2') as Severity;

  const jobs: Promise<[string, ChannelResult & { summary: string; retryable?: boolean }]>[] = [];
  if (esc.pagerduty_channel) {
    const name = esc.pagerduty_channel;
    jobs.push(
      (async () => {
        try {
          const ch = channelConfig(loaded.config, name);
          if (ch.type !== 'pagerduty')
            throw new InvalidInputError(
              `providers.${provider}.escalation.pagerduty_channel: channel "${name}" is a ${ch.type} channel, not pagerduty`,
            );
          const message = await renderMessage(loaded.templatesDir, step.template, 'email', scope);
          const r = await sendPagerDutyEvent(
            http,
            { channel: name, baseUrl: ch.base_url, routingKey: resolveSecret(ch.routing_key, `channels.${name}.routing_key`, run.ctx.env) },
            {
              action,
              dedupKey,
              summary: message.subject ?? message.body,
              severity: SEVERITY_TO_PAGERDUTY[severity],
              component: provider,
              source: 'payctl',
              customDetails: { incident: (scope.incident as { id?: string } | undefined)?.id, provider, details: message.body },
            },
            run.signal,
          );
          return [
            name,
            {
              ok: true,
              status: r.status,
              id: r.dedup_key,
              summary: r.dryRun ? `${name}: dry run (${action})` : `${name}: PagerDuty ${action} accepted (dedup ${r.dedup_key})`,
            },
          ];
        } catch (e) {
          return [
            name,
            {
              ok: false,
              ...(e instanceof HttpError && e.status ? { status: e.status } : {}),
              error: messageOf(e),
              retryable: e instanceof HttpError && e.retryable,
              summary: `${name}: FAILED: ${messageOf(e)}`,
            },
          ];
        }
      })(),
    );
  }
  if (esc.ticket_channel) {
    const name = esc.ticket_channel;
    jobs.push(
      (async () => {
        try {
          const message = await renderMessage(
            loaded.templatesDir,
            step.template,
            messageChannelFor(channelConfig(loaded.config, name)),
            scope,
          );
          return [
            name,
            await sendToChannel(
              { config: loaded.config, http, env: run.ctx.env, signal: run.signal, state },
              name,
              message,
              scope,
              `${run.idempotencyKey}-${name}`,
            ),
          ];
        } catch (e) {
          return [name, { ok: false, error: messageOf(e), summary: `${name}: FAILED: ${messageOf(e)}` }];
        }
      })(),
    );
  }
  const channels: Record<string, ChannelResult> = {};
  let anyRetryable = false;
  for (const [name, r] of await Promise.all(jobs)) {
    run.log(r.summary);
    if (!r.ok && r.retryable) anyRetryable = true;
    const { summary: _s, retryable: _r, ...rec } = r;
    channels[name] = rec;
  }
  const result: EscalateResult & { dry_run?: boolean } = {
    provider,
    action,
    dedup_key: dedupKey,
    channels,
    ...(run.dryRun ? { dry_run: true } : {}),
  };
  const ok = Object.entries(channels)
    .filter(([, c]) => c.ok)
    .map(([n]) => n);
  const failed = Object.entries(channels).filter(([, c]) => !c.ok);
  if (ok.length === 0)
    return {
      outcome: 'failed',
      error: `escalation to ${provider} failed: ${failed.map(([n, c]) => `${n}: ${c.error}`).join('; ')}`,
      retryable: anyRetryable,
      result: { ...result },
    };
  const warning = failedChannels(failed);
  return {
    outcome: 'ok',
    result: { ...result },
    message: `escalated to ${provider} (${action}) via ${ok.join(', ')}`,
    ...(warning ? { warning } : {}),
  };
};

/**
 * Sending one rendered message to one configured channel (slack, statuspage,
 * webhook, pagerduty). notify and escalate call this once per channel,
 * concurrently; a failure comes back as a ChannelResult, never a throw, so one
 * channel cannot stop the others.
 */
import { InvalidInputError, messageOf } from '../errors.js';
import { resolveSecret } from '../secrets.js';
import type { ChannelConfig, Config } from '../config/schema.js';
import type { RenderedMessage } from '../messages/render.js';
import type { Scope } from '../template/engine.js';
import type { IncidentState } from '../timeline/replay.js';
import type { ChannelResult } from '../timeline/results.js';
import type { Severity } from '../playbook/schema.js';
import { HttpError, type HttpClient } from './http.js';
import { postSlack } from './slack.js';
import { resolveStatuspageIncidents, upsertStatuspageIncident, type StatuspageIncidentStatus } from './statuspage-manage.js';
import { sendWebhook } from './webhook.js';
import { sendPagerDutyEvent, SEVERITY_TO_PAGERDUTY } from './pagerduty.js';

export interface ChannelDeps {
  config: Config;
  http: HttpClient;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** The incident so far: the Statuspage incident id comes from earlier notify results. */
  state?: IncidentState;
}

export interface ChannelSendResult extends ChannelResult {
  /** A sentence for the progress log. */
  summary: string;
  retryable?: boolean;
}

export function channelConfig(config: Config, name: string): ChannelConfig {
  const ch = config.channels[name];
  if (!ch) {
    const known = Object.keys(config.channels);
    throw new InvalidInputError(
      `unknown channel "${name}"`,
      known.length ? `configured channels: ${known.join(', ')}` : 'declare channels in payctl.config.yaml (channels:)',
    );
  }
  return ch;
}

/** The step's warning when some channels failed: "failed: statuspage (timed out after 10s)"; undefined when none did. */
export function failedChannels(failed: [string, ChannelResult][]): string | undefined {
  return failed.length ? `failed: ${failed.map(([n, c]) => `${n} (${c.error})`).join('; ')}` : undefined;
}

/** The Statuspage incident created by an earlier notify to this channel, if any (latest wins). */
export function existingStatuspageIncident(state: IncidentState | undefined, channel: string): string | undefined {
  if (!state) return undefined;
  let id: string | undefined;
  for (const stepId of state.step_order) {
    const st = state.steps[stepId];
    if (st?.type !== 'notify' || !st.result) continue;
    const ch = (st.result.channels as Record<string, ChannelResult> | undefined)?.[channel];
    if (ch?.ok && ch.id && ch.id !== '(dry-run)') id = ch.id;
  }
  return id;
}

/** The statuspage channels an earlier notify created or updated a public incident on. */
export function statuspageChannelsUsed(state: IncidentState): string[] {
  const used = new Set<string>();
  for (const stepId of state.step_order) {
    const st = state.steps[stepId];
    if (st?.type !== 'notify' || !st.result) continue;
    for (const [name, ch] of Object.entries((st.result.channels as Record<string, ChannelResult> | undefined) ?? {})) {
      if (ch?.ok && ch.id && ch.id !== '(dry-run)') used.add(name);
    }
  }
  return [...used];
}

/**
 * Resolve the public incidents created for a payctl incident on every
 * statuspage channel it notified; one line per channel (what was resolved, or
 * why it could not be: the payctl incident is resolved all the same).
 */
export async function resolvePublicIncidents(
  deps: ChannelDeps,
  state: IncidentState,
): Promise<{ channel: string; resolved?: string[]; error?: string }[]> {
  const out: { channel: string; resolved?: string[]; error?: string }[] = [];
  for (const name of statuspageChannelsUsed(state)) {
    const ch = deps.config.channels[name];
    if (ch?.type !== 'statuspage') continue;
    try {
      const apiKey = resolveSecret(ch.api_key, `channels.${name}.api_key`, deps.env);
      const target = { channel: name, baseUrl: ch.base_url, pageId: ch.page_id, apiKey, deliverNotifications: ch.deliver_notifications };
      const resolved = await resolveStatuspageIncidents(
        deps.http,
        target,
        state.id,
        'This incident has been resolved.',
        `payctl-${state.id}-resolve-${name}`,
        deps.signal,
      );
      out.push({ channel: name, resolved });
    } catch (e) {
      out.push({ channel: name, error: messageOf(e) });
    }
  }
  return out;
}

/** payctl incident status → Statuspage incident status, and the status of affected components. */
function statuspageStatus(scope: Scope, declared?: string): { status: StatuspageIncidentStatus; component: string } {
  // a template may say what the notice means (customer-resolved: resolved), even before the payctl incident is closed
  const s = declared ?? String((scope.incident as { status?: unknown } | undefined)?.status ?? 'investigating');
  if (s === 'resolved') return { status: 'resolved', component: 'operational' };
  if (s === 'monitoring') return { status: 'monitoring', component: 'degraded_performance' };
  if (s === 'identified') return { status: 'identified', component: 'partial_outage' };
  return { status: 'investigating', component: 'partial_outage' };
}

/** The payctl incident id, the marker of the public incidents created for it. */
function incidentIdOf(scope: Scope): string | undefined {
  const id = (scope.incident as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id ? id : undefined;
}

/** The provider a message is about: vars.provider, else inputs.provider. */
function affectedProvider(scope: Scope): string | undefined {
  const v =
    (scope.vars as Record<string, unknown> | undefined)?.provider ?? (scope.inputs as Record<string, unknown> | undefined)?.provider;
  return typeof v === 'string' && v ? v : undefined;
}

export async function sendToChannel(
  deps: ChannelDeps,
  name: string,
  message: RenderedMessage,
  scope: Scope,
  key: string,
): Promise<ChannelSendResult> {
  try {
    const ch = channelConfig(deps.config, name);
    switch (ch.type) {
      case 'slack': {
        const url = resolveSecret(ch.webhook_url, `channels.${name}.webhook_url`, deps.env);
        const r = await postSlack(deps.http, name, url, { text: message.body, title: message.subject }, key, deps.signal);
        return { ok: true, status: r.status, summary: r.dryRun ? `${name}: dry run` : `${name}: posted to Slack` };
      }
      case 'statuspage': {
        const apiKey = resolveSecret(ch.api_key, `channels.${name}.api_key`, deps.env);
        const { status, component } = statuspageStatus(scope, message.status);
        const provider = affectedProvider(scope);
        const compId = provider ? ch.component_ids?.[provider] : undefined;
        const existing = existingStatuspageIncident(deps.state, name);
        const incidentTitle = String((scope.incident as { title?: unknown } | undefined)?.title ?? 'Payment issues');
        const r = await upsertStatuspageIncident(
          deps.http,
          { channel: name, baseUrl: ch.base_url, pageId: ch.page_id, apiKey, deliverNotifications: ch.deliver_notifications },
          {
            name: message.subject ?? incidentTitle,
            body: message.body,
            status,
            ...(compId ? { components: { [compId]: component } } : {}),
          },
          existing,
          key,
          deps.signal,
          incidentIdOf(scope),
        );
        const how = r.created ? 'created' : r.reused ? 'found (an earlier attempt created it) and updated' : 'updated';
        const extra = r.alsoResolved?.length
          ? `; also resolved ${r.alsoResolved.join(', ')} (created for this incident by an earlier attempt)`
          : '';
        return {
          ok: true,
          status: r.status,
          id: r.id,
          summary: r.dryRun ? `${name}: dry run` : `${name}: ${how} status page incident ${r.id} (${status})${extra}`,
        };
      }
      case 'webhook': {
        const r = await sendWebhook(deps.http, name, ch, message, scope, key, deps.env, deps.signal);
        return {
          ok: true,
          status: r.status,
          ...(r.id ? { id: r.id } : {}),
          summary: r.dryRun ? `${name}: dry run` : `${name}: sent (${ch.purpose})`,
        };
      }
      case 'pagerduty': {
        const routingKey = resolveSecret(ch.routing_key, `channels.${name}.routing_key`, deps.env);
        const sev = String((scope.incident as { severity?: unknown } | undefined)?.severity ?? 'sev2') as Severity;
        const r = await sendPagerDutyEvent(
          deps.http,
          { channel: name, baseUrl: ch.base_url, routingKey },
          {
            action: 'trigger',
            dedupKey: key,
            summary: message.subject ? `${message.subject}: ${message.body}` : message.body,
            severity: SEVERITY_TO_PAGERDUTY[sev] ?? 'error',
          },
          deps.signal,
        );
        return {
          ok: true,
          status: r.status,
          id: r.dedup_key,
          summary: r.dryRun ? `${name}: dry run` : `${name}: PagerDuty accepted (dedup ${r.dedup_key})`,
        };
      }
    }
  } catch (e) {
    const status = e instanceof HttpError ? e.status : undefined;
    return {
      ok: false,
      ...(status !== undefined ? { status } : {}),
      error: messageOf(e),
      retryable: e instanceof HttpError ? e.retryable : false,
      summary: `${name}: FAILED: ${messageOf(e)}`,
    };
  }
}

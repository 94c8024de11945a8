/**
 * A generic webhook channel (an email provider, a website banner service, a
 * social scheduler, a processor's ticket form): a JSON body from the channel's
 * `body` template, or by default {subject, body, text, purpose, incident}.
 * Template values: everything in the message scope plus `message.subject` and
 * `message.body`. The URL may be env:NAME (then it is a secret and only its
 * origin is ever shown); header values may be env:NAME.
 */
import { isSecretRef, resolveSecret } from '../secrets.js';
import { renderDeep, type Scope } from '../template/engine.js';
import type { ChannelConfig } from '../config/schema.js';
import type { RenderedMessage } from '../messages/render.js';
import type { HttpClient } from './http.js';

type WebhookChannel = Extract<ChannelConfig, { type: 'webhook' }>;

export async function sendWebhook(
  http: HttpClient,
  name: string,
  ch: WebhookChannel,
  message: RenderedMessage,
  scope: Scope,
  key: string,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<{ status: number; id?: string; dryRun?: boolean }> {
  const secretUrl = isSecretRef(ch.url);
  const url = secretUrl ? resolveSecret(ch.url, `channels.${name}.url`, env) : ch.url;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(ch.headers ?? {}))
    headers[k] = isSecretRef(v) ? resolveSecret(v, `channels.${name}.headers.${k}`, env) : v;
  const incident = (scope.incident ?? {}) as Record<string, unknown>;
  const msg = { subject: message.subject ?? '', body: message.body, channel: message.channel };
  const body =
    ch.body !== undefined
      ? await renderDeep(ch.body, { ...scope, message: msg }, `channels.${name}.body`)
      : {
          subject: msg.subject || undefined,
          body: msg.body,
          text: msg.subject ? `${msg.subject}\n\n${msg.body}` : msg.body,
          purpose: ch.purpose,
          incident: { id: incident.id, title: incident.title, severity: incident.severity, status: incident.status },
        };
  const res = await http.request<unknown>({
    service: `webhook channel "${name}"`,
    method: ch.method,
    url,
    secretUrl,
    headers,
    body,
    idempotencyKey: key,
    signal,
  });
  if (res.dryRun) return { status: 0, dryRun: true };
  const data = res.data as { id?: unknown } | null;
  const id = data && typeof data === 'object' && (typeof data.id === 'string' || typeof data.id === 'number') ? String(data.id) : undefined;
  return { status: res.status, ...(id ? { id } : {}) };
}

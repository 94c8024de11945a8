/**
 * Slack incoming webhook: POST {text, blocks} to the webhook URL (a secret:
 * only its origin is ever shown). Success is 200 with the body `ok`; errors are
 * plain text such as invalid_payload or channel_not_found; 429 carries Retry-After.
 */
import { OperationError } from '../errors.js';
import type { HttpClient } from './http.js';

export interface SlackMessage {
  text: string;
  /** A title shown in bold above the text. */
  title?: string;
}

const SLACK_ERRORS: Record<string, string> = {
  invalid_payload: 'Slack could not read the message (invalid_payload)',
  channel_not_found: "the webhook's channel no longer exists (channel_not_found): create a new webhook",
  channel_is_archived: "the webhook's channel is archived (channel_is_archived)",
  action_prohibited: 'an admin restricted posting to this channel (action_prohibited)',
  no_service: 'the webhook was disabled or removed (no_service)',
  no_team: 'the Slack workspace is gone (no_team)',
  rollup_error: 'Slack had an internal error (rollup_error)',
};

export function describeSlackError(_status: number, text: string): string | undefined {
  const code = text.trim();
  return SLACK_ERRORS[code] ?? (code && code.length < 120 && !code.startsWith('<') ? code : undefined);
}

export function slackPayload(m: SlackMessage): { text: string; blocks: unknown[] } {
  const text = m.title ? `*${m.title}*\n${m.text}` : m.text;
  return {
    text,
    blocks: [
      ...(m.title ? [{ type: 'header', text: { type: 'plain_text', text: m.title.slice(0, 150) } }] : []),
      { type: 'section', text: { type: 'mrkdwn', text: m.text.slice(0, 3000) } },
    ],
  };
}

export async function postSlack(
  http: HttpClient,
  channel: string,
  webhookUrl: string,
  m: SlackMessage,
  key: string,
  signal?: AbortSignal,
): Promise<{ status: number; dryRun?: boolean }> {
  const res = await http.request<string>({
    service: `slack channel "${channel}"`,
    method: 'POST',
    url: webhookUrl,
    secretUrl: true,
    body: slackPayload(m),
    expect: 'text',
    idempotencyKey: key,
    signal,
    describeError: describeSlackError,
  });
  if (res.dryRun) return { status: 0, dryRun: true };
  if (res.data.trim() !== 'ok')
    throw new OperationError(`slack channel "${channel}": unexpected answer ${JSON.stringify(res.data.slice(0, 80))} (expected "ok")`);
  return { status: res.status };
}

/**
 * A Slack incoming webhook at `/slack/services/T000/B000/<token>`: 200 `ok`,
 * or Slack's plain-text errors. A token named after an error gets that error
 * (`channel_not_found` → 404, `channel_is_archived` → 410, `action_prohibited`
 * → 403, `invalid_payload` → 400, `rollup_error` → 500), so adapters can test
 * every failure without a fault.
 */
import { isRecord, text, type Reply, type SandboxRequest, iso } from './http.js';

const ERROR_TOKENS: Record<string, number> = {
  invalid_payload: 400,
  action_prohibited: 403,
  channel_not_found: 404,
  channel_is_archived: 410,
  rollup_error: 500,
};

export interface SlackMessage {
  time: string;
  text?: string;
  blocks?: unknown[];
  idempotency_key?: string;
}

export class SlackState {
  messages: SlackMessage[] = [];
  constructor(private readonly now: () => number) {}

  reset(): void {
    this.messages = [];
  }

  handle(rest: string, req: SandboxRequest): Reply {
    const m = /^\/services\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(rest);
    if (!m) return text(404, 'no_service');
    const token = m[3]!;
    if (req.method !== 'POST') return text(405, 'invalid_method');
    if (token in ERROR_TOKENS) return text(ERROR_TOKENS[token]!, token);
    let body = req.body;
    // Slack also takes form posts with a JSON `payload` field
    if (isRecord(body) && typeof body.payload === 'string' && !('text' in body)) {
      try {
        body = JSON.parse(body.payload);
      } catch {
        return text(400, 'invalid_payload');
      }
    }
    if (req.bodyError || !isRecord(body)) return text(400, 'invalid_payload');
    const hasText = typeof body.text === 'string' && body.text !== '';
    const hasBlocks = Array.isArray(body.blocks) && body.blocks.length > 0;
    if (body.blocks !== undefined && !Array.isArray(body.blocks)) return text(400, 'invalid_blocks');
    if (!hasText && !hasBlocks) return text(400, 'no_text');
    this.messages.push({
      time: iso(this.now()),
      text: hasText ? String(body.text) : undefined,
      blocks: hasBlocks ? (body.blocks as unknown[]) : undefined,
      idempotency_key: req.headers['idempotency-key'],
    });
    return { status: 200, body: 'ok', contentType: 'text/html' };
  }
}

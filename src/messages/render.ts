/**
 * Customer and processor message templates (templates/messages/<name>.yaml),
 * one variant per channel kind. notify and escalate steps render through here.
 *
 * `vars` in the scope are the step's vars; they are merged over the template's
 * declared defaults here, and a required var without a value is an error. The
 * social variant may not exceed 280 characters after rendering.
 */
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { renderString, type Scope } from '../template/engine.js';
import type { ChannelConfig } from '../config/schema.js';
import { findMessageTemplate, loadMessageTemplate, mergeVars, SOCIAL_LIMIT, MESSAGE_CHANNELS, type MessageChannel } from './templates.js';

export { MESSAGE_CHANNELS, SOCIAL_LIMIT, type MessageChannel };

export interface RenderedMessage {
  channel: MessageChannel;
  /** Email subject or status page incident title. */
  subject?: string;
  /** Status page variant only: the public incident's status, when the template sets it. */
  status?: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  body: string;
}

/** Which variant of a template a configured channel receives. */
export function messageChannelFor(channel: ChannelConfig): MessageChannel {
  switch (channel.type) {
    case 'slack':
      return 'slack';
    case 'statuspage':
      return 'statuspage';
    case 'pagerduty':
      return 'slack';
    case 'webhook':
      return channel.purpose === 'banner'
        ? 'banner'
        : channel.purpose === 'social'
          ? 'social'
          : channel.purpose === 'other'
            ? 'slack'
            : 'email';
  }
}

/** The template's file: the templates directory's copy, else the one shipped with payctl. */
export function messageTemplatePath(templatesDir: string, name: string): string {
  return findMessageTemplate(templatesDir, name) ?? join(templatesDir, 'messages', `${name}.yaml`);
}

/** Characters as people count them (code points, so an emoji is one). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Render one template for one channel kind. */
export async function renderMessage(templatesDir: string, name: string, channel: MessageChannel, scope: Scope): Promise<RenderedMessage> {
  const t = loadMessageTemplate(templatesDir, name);
  const variant = t.variants[channel] ?? t.variants.slack;
  if (variant === undefined) throw new InvalidInputError(`template ${name} has no "${channel}" variant (${t.file})`);
  const vars = mergeVars(t, scope.vars as Record<string, unknown> | undefined);
  const missing = Object.entries(t.vars)
    .filter(([k, d]) => d.required && (vars[k] === undefined || vars[k] === null || vars[k] === ''))
    .map(([k]) => k);
  if (missing.length)
    throw new InvalidInputError(
      `template ${name} needs ${missing.map((m) => `vars.${m}`).join(', ')}; the step must supply ${missing.length === 1 ? 'it' : 'them'} under vars:`,
    );
  const full: Scope = { ...scope, vars };
  const where = `template ${name} (${channel})`;
  let out: RenderedMessage;
  if (typeof variant === 'string') out = { channel, body: (await renderString(variant, full, where)).trim() };
  else {
    const head = variant.subject ?? variant.title;
    out = {
      channel,
      subject: head !== undefined ? (await renderString(head, full, where)).trim() : undefined,
      body: (await renderString(variant.body ?? '', full, where)).trim(),
      ...(variant.status ? { status: variant.status as RenderedMessage['status'] } : {}),
    };
  }
  if (channel === 'social') {
    const n = charCount(out.body);
    if (n > SOCIAL_LIMIT)
      throw new InvalidInputError(
        `template ${name} (social) renders to ${n} characters; a social post may have at most ${SOCIAL_LIMIT}`,
        `shorten the social variant in ${t.file}, or the vars it uses`,
      );
  }
  return out;
}

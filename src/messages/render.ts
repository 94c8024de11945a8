/**
 * Customer and processor message templates (templates/messages/<name>.yaml),
 * one variant per channel kind. notify and escalate steps render through here.
 */
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { readYamlSource } from '../source/yaml-file.js';
import { renderString, type Scope } from '../template/engine.js';
import type { ChannelConfig } from '../config/schema.js';

export const MESSAGE_CHANNELS = ['statuspage', 'email', 'banner', 'social', 'slack'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export interface RenderedMessage {
  channel: MessageChannel;
  /** Email subject or status page incident title. */
  subject?: string;
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
      return channel.purpose === 'banner' ? 'banner' : channel.purpose === 'social' ? 'social' : channel.purpose === 'other' ? 'slack' : 'email';
  }
}

export function messageTemplatePath(templatesDir: string, name: string): string {
  return join(templatesDir, 'messages', `${name}.yaml`);
}

/** Render one template for one channel kind. */
export async function renderMessage(templatesDir: string, name: string, channel: MessageChannel, scope: Scope): Promise<RenderedMessage> {
  const file = messageTemplatePath(templatesDir, name);
  const src = readYamlSource(file);
  if (src.problems.length) throw new InvalidInputError(`template ${name}: ${src.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('; ')}`);
  const t = src.data as Record<string, unknown>;
  const variant = t[channel] ?? t.slack;
  if (variant === undefined) throw new InvalidInputError(`template ${name} has no "${channel}" variant (${file})`);
  const where = `template ${name} (${channel})`;
  if (typeof variant === 'string') return { channel, body: await renderString(variant, scope, where) };
  const v = variant as { subject?: string; title?: string; body?: string };
  return {
    channel,
    subject: v.subject ?? v.title ? await renderString((v.subject ?? v.title)!, scope, where) : undefined,
    body: await renderString(v.body ?? '', scope, where),
  };
}

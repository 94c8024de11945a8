/** Temp dirs with small playbooks, and a sandbox-like config (contract names) for validation tests. */
import { mkdtempSync, realpathSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const SHIPPED_PLAYBOOKS = join(REPO, 'playbooks');
export const SHIPPED_TEMPLATES = join(REPO, 'templates');
/** The ids of the seven shipped playbooks, as playbook list orders them. */
export const SHIPPED_PLAYBOOK_IDS = [
  'datacenter-outage',
  'elevated-declines',
  'peak-traffic',
  'processor-outage',
  'scheduled-maintenance',
  'security-incident',
  'third-party-dependency',
];

export function tempDir(prefix = 'payctl-pb-'): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** Write a playbook (lines joined with \n) into dir; returns its path. */
export function writePlaybook(dir: string, name: string, lines: string[]): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** A config shaped like the sandbox's: providers stripe/adyen/braintree and the contract's channels. */
export const SANDBOX_LIKE_CONFIG = `
providers:
  stripe: { kind: stripe, statuspage: "http://127.0.0.1:1/status/stripe", escalation: { pagerduty_channel: pagerduty, ticket_channel: processor-support, follow_up_every: 30m } }
  adyen: { kind: adyen, statuspage: "http://127.0.0.1:1/status/adyen", escalation: { pagerduty_channel: pagerduty, ticket_channel: processor-support, follow_up_every: 30m } }
  braintree: { kind: braintree, statuspage: "http://127.0.0.1:1/status/braintree", escalation: { pagerduty_channel: pagerduty, ticket_channel: processor-support, follow_up_every: 30m } }
routing:
  primary: stripe
  backups: [adyen, braintree]
  adapter: { type: hyperswitch, base_url: "http://127.0.0.1:1/hyperswitch", api_key: env:SANDBOX_HYPERSWITCH_KEY }
channels:
  slack: { type: slack, webhook_url: env:SANDBOX_SLACK_WEBHOOK_URL }
  statuspage: { type: statuspage, base_url: "http://127.0.0.1:1/statuspage/v1", page_id: sandbox-page, api_key: env:SANDBOX_STATUSPAGE_KEY }
  email: { type: webhook, url: "http://127.0.0.1:1/webhook/email", purpose: email }
  banner: { type: webhook, url: "http://127.0.0.1:1/webhook/banner", purpose: banner }
  social: { type: webhook, url: "http://127.0.0.1:1/webhook/social", purpose: social }
  pagerduty: { type: pagerduty, routing_key: env:SANDBOX_PAGERDUTY_KEY, base_url: "http://127.0.0.1:1/pagerduty" }
  processor-support: { type: webhook, url: "http://127.0.0.1:1/webhook/processor-support", purpose: ticket }
metrics:
  type: prometheus
  url: "http://127.0.0.1:1/prometheus"
  queries: { success_rate: "rate", decline_codes: "sum by (code) (decline)" }
`;

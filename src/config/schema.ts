/**
 * payctl.config.yaml, as one zod definition. Every key is documented in docs/config.md.
 * Secret values are written `env:NAME` and read from the environment only when used
 * (see secrets.ts); they are never inline.
 */
import { z } from 'zod';
import { Duration, PROVIDER_STATUSES } from '../playbook/schema.js';

/** A secret: `env:NAME`. An inline value is refused so that secrets never live in files. */
export const SecretRef = z
  .string()
  .regex(/^env:[A-Za-z_][A-Za-z0-9_]*$/, 'secrets must be written env:NAME (read from the environment), never inline')
  .meta({ description: 'env:NAME: read from the environment variable NAME when used' });

export const ProviderConfig = z.strictObject({
  kind: z.string().meta({ description: 'stripe, adyen, braintree, checkout, worldpay, … (free text)' }),
  enabled: z.boolean().default(true),
  statuspage: z.url().optional().meta({ description: 'Base URL of the Statuspage v2 page, e.g. https://status.stripe.com' }),
  components: z.array(z.string()).optional().meta({
    description:
      'Watched components: a component name, a group name (its components), "Group/Name" (one component of one group) or a component or group id; all when omitted. A name the page does not have makes the page unreadable',
  }),
  connector_id: z.string().optional().meta({ description: 'merchant_connector_id for the hyperswitch routing adapter' }),
  escalation: z
    .strictObject({
      contacts: z.array(z.string()).optional(),
      ticket_channel: z.string().optional().meta({ description: 'A webhook channel that opens a ticket with the processor' }),
      pagerduty_channel: z.string().optional().meta({ description: 'A pagerduty channel paged on escalation' }),
      follow_up_every: Duration.optional(),
    })
    .optional(),
});

const HttpRequestSpec = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  url: z.string(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
});

export const RoutingAdapter = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hyperswitch'),
    base_url: z.url(),
    api_key: SecretRef,
    profile_id: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('http'),
    write: HttpRequestSpec,
    read: HttpRequestSpec.extend({ method: z.enum(['GET', 'POST']).default('GET') }).extend({
      path: z.string().meta({ description: 'JSON path in the read-back body giving the active provider or the ordered list' }),
    }),
    split: HttpRequestSpec.extend({
      read_path: z
        .string()
        .meta({ description: 'JSON path in the read body giving the shares ({provider: percent} or [{provider, percent}])' }),
    })
      .optional()
      .meta({
        description:
          'The request that sends shares of traffic (values: to, share, from, split, split_json, shares, key); without it the adapter moves all traffic or none',
      }),
  }),
  z.strictObject({
    type: z.literal('shell'),
    write: z.array(z.string()).min(1).meta({ description: 'Argument list; {{ to }} and {{ order }} are filled in' }),
    read: z.array(z.string()).min(1).meta({
      description:
        'Prints the active provider (first line), a JSON list, or the shares ({"adyen": 90, "stripe": 10} or adyen=90,stripe=10)',
    }),
    split: z.array(z.string()).min(1).optional().meta({
      description:
        'Argument list that sends shares of traffic; {{ to }}, {{ share }}, {{ from }}, {{ split }} are filled in; without it the adapter moves all traffic or none',
    }),
  }),
]);

export const RoutingConfig = z.strictObject({
  primary: z.string(),
  backups: z.array(z.string()).default([]),
  adapter: RoutingAdapter.optional(),
});

export const ChannelConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('slack'), webhook_url: SecretRef }),
  z.strictObject({
    type: z.literal('statuspage'),
    base_url: z.url().default('https://api.statuspage.io/v1'),
    page_id: z.string(),
    api_key: SecretRef,
    component_ids: z.record(z.string(), z.string()).optional().meta({ description: 'provider name → Statuspage component id' }),
    deliver_notifications: z.boolean().default(true),
  }),
  z.strictObject({
    type: z.literal('webhook'),
    url: z.union([z.url(), SecretRef]),
    method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
    headers: z.record(z.string(), z.string()).optional().meta({ description: 'Values may be env:NAME' }),
    body: z.unknown().optional().meta({ description: 'JSON body template; strings are rendered' }),
    purpose: z.enum(['email', 'banner', 'social', 'ticket', 'other']).default('other'),
  }),
  z.strictObject({
    type: z.literal('pagerduty'),
    routing_key: SecretRef,
    base_url: z.url().default('https://events.pagerduty.com'),
  }),
]);

export const MetricsConfig = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('prometheus'),
    url: z.url(),
    headers: z.record(z.string(), z.string()).optional(),
    queries: z.strictObject({
      success_rate: z.string().meta({
        description:
          'PromQL for the success rate (0..1); $window and $provider are filled in (use $provider in a provider matcher for per-provider reads: the canary needs it)',
      }),
      decline_codes: z.string().optional(),
      attempts: z
        .string()
        .optional()
        .meta({ description: "PromQL for the payments attempted over $window (per $provider): the canary's minimum sample" }),
    }),
  }),
  z.strictObject({
    type: z.literal('file'),
    path: z.string().meta({ description: 'A CSV (time,success_rate[,provider]) or JSON file of readings' }),
  }),
]);

export const Config = z.strictObject({
  providers: z.record(z.string(), ProviderConfig).default({}),
  routing: RoutingConfig.optional(),
  channels: z.record(z.string(), ChannelConfig).default({}),
  metrics: MetricsConfig.optional(),
  thresholds: z
    .strictObject({
      success_rate: z.number().min(0).max(1).default(0.95),
      unhealthy_statuses: z.array(z.enum(PROVIDER_STATUSES)).default(['partial_outage', 'major_outage']),
    })
    .default({ success_rate: 0.95, unhealthy_statuses: ['partial_outage', 'major_outage'] }),
  store: z.string().default('.payctl/incidents').meta({
    description:
      'Incident store: a directory relative to the config file, a postgres:// or postgresql:// URL, or env:NAME holding one (PAYCTL_STORE overrides it)',
  }),
  playbooks: z.string().default('playbooks').meta({ description: 'Playbook directory, relative to the config file' }),
  templates: z.string().default('templates').meta({ description: 'Template directory, relative to the config file' }),
  business: z
    .strictObject({
      average_order_value: z.number().positive(),
      orders_per_minute: z.number().positive(),
      currency: z.string().default('USD'),
    })
    .optional(),
  step_timeout: Duration.default('5m').meta({
    description: "How long a playbook step without timeout: may run (a shift_traffic step's default adds its stages' holds)",
  }),
  http: z
    .strictObject({
      timeout: Duration.default('10s'),
      retries: z.number().int().min(0).max(10).default(3),
    })
    .default({ timeout: '10s', retries: 3 }),
});

export type Config = z.infer<typeof Config>;
export type ProviderConfig = z.infer<typeof ProviderConfig>;
export type ChannelConfig = z.infer<typeof ChannelConfig>;
export type RoutingConfig = z.infer<typeof RoutingConfig>;
export type RoutingAdapter = z.infer<typeof RoutingAdapter>;
export type MetricsConfig = z.infer<typeof MetricsConfig>;

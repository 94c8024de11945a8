/**
 * The commented payctl.config.yaml that `payctl init` writes. It parses with
 * the Config schema (a test checks this); every key is described in docs/config.md.
 */
export const EXAMPLE_CONFIG = `# payctl configuration. Every key is described in docs/config.md.
# Secrets are never written here: a value env:NAME is read from the environment
# variable NAME when it is used (a missing variable is an error naming it).

# Payment processors. The names (stripe, adyen, braintree) are what playbooks,
# routing and --to/--from use.
providers:
  stripe:
    kind: stripe
    enabled: true
    statuspage: https://status.stripe.com        # Statuspage v2 base URL
    components: [API, Card payments]              # watched components (all when omitted)
    connector_id: mca_stripe_prod                 # merchant_connector_id (hyperswitch routing)
    escalation:
      pagerduty_channel: pagerduty                # a channel below, paged on escalation
      ticket_channel: processor-support           # a webhook channel that opens a ticket
      contacts: [support@stripe.com]
      follow_up_every: 30m
  adyen:
    kind: adyen
    statuspage: https://status.adyen.com
    connector_id: mca_adyen_prod
    escalation:
      pagerduty_channel: pagerduty
      ticket_channel: processor-support
      contacts: [support@adyen.com]
      follow_up_every: 30m
  braintree:
    kind: braintree
    statuspage: https://status.braintreepayments.com
    connector_id: mca_braintree_prod
    escalation:
      pagerduty_channel: pagerduty
      ticket_channel: processor-support
      follow_up_every: 30m

# Where card traffic goes, and how payctl moves it.
routing:
  primary: stripe
  backups: [adyen, braintree]                     # failover order
  adapter:
    type: hyperswitch                             # or http / shell (see docs/config.md)
    base_url: https://sandbox.hyperswitch.io
    api_key: env:HYPERSWITCH_API_KEY

# Notification channels: name -> type and settings. Playbooks name these in notify.channels.
channels:
  slack:
    type: slack
    webhook_url: env:SLACK_WEBHOOK_URL
  statuspage:
    type: statuspage
    base_url: https://api.statuspage.io/v1
    page_id: your-page-id
    api_key: env:STATUSPAGE_API_KEY
    # component_ids: { stripe: "component-id" }   # provider -> Statuspage component
  email:
    type: webhook
    purpose: email                                # customer email through your mail service
    url: env:EMAIL_WEBHOOK_URL
  banner:
    type: webhook
    purpose: banner                               # the website banner
    url: env:BANNER_WEBHOOK_URL
  social:
    type: webhook
    purpose: social                               # a post on social media
    url: env:SOCIAL_WEBHOOK_URL
  pagerduty:
    type: pagerduty
    routing_key: env:PAGERDUTY_ROUTING_KEY        # 32 characters
  processor-support:
    type: webhook
    purpose: ticket                               # opens a ticket with the processor
    url: env:PROCESSOR_TICKET_WEBHOOK_URL

# Where the payment success rate and decline codes come from.
metrics:
  type: prometheus
  url: http://prometheus.internal:9090
  queries:
    success_rate: sum(rate(payments_succeeded_total[5m])) / sum(rate(payments_attempted_total[5m]))
    decline_codes: sum by (code) (rate(payments_declined_total[5m]))
# or: metrics: { type: file, path: metrics.csv }

# What counts as unhealthy for payctl check (exit 4).
thresholds:
  success_rate: 0.95
  unhealthy_statuses: [partial_outage, major_outage]

# Directories, relative to this file.
store: .payctl/incidents
playbooks: playbooks
templates: templates

# Business figures for impact estimates in postmortems.
business:
  average_order_value: 80
  orders_per_minute: 120
  currency: USD

# Every HTTP call payctl makes.
http:
  timeout: 10s
  retries: 3
`;

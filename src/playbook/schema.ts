/**
 * The playbook format: one zod definition gives the TypeScript types, the
 * validation, and the JSON Schema in schema/playbook.schema.json.
 */
import { z } from 'zod';
import { DURATION_HINT, isDuration } from '../duration.js';
import { INCIDENT_STATUSES, PROVIDER_STATUSES, SEVERITIES } from './enums.js';

// the value lists and choice helpers live in enums.ts (no zod) so the run path need not load this file
export { choiceLabel, choiceValue, INCIDENT_STATUSES, PROVIDER_STATUSES, SEVERITIES } from './enums.js';

export const Duration = z
  .string()
  .refine(isDuration, { error: (iss) => `${JSON.stringify(iss.input)} is not a duration (${DURATION_HINT})` })
  .meta({ description: 'A duration: 30s, 5m, 2h, 1h30m', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$' });

/**
 * A duration in a step, or a template that renders to one (e.g. `{{ inputs.recovery_timeout }}`),
 * so drills and runs can shorten waits through inputs. The engine renders it before parsing.
 */
export const StepDuration = z
  .string()
  .refine((s) => isDuration(s) || s.includes('{{'), {
    error: (iss) => `${JSON.stringify(iss.input)} is not a duration (${DURATION_HINT}, or a {{ template }} that gives one)`,
  })
  .meta({ description: 'A duration (30s, 5m, 2h, 1h30m) or a {{ template }} giving one' });

/** A template string: `{{ inputs.provider }}`, rendered with liquidjs. */
const Template = z.string();
/** A condition: a liquid expression such as `inputs.mode == "failover"` or `steps.check.status != "operational"`. */
const Condition = z.string().meta({ description: 'A liquid expression, e.g. steps.check.status == "major_outage"' });

/** A role name: the standard ones (playbook/roles.ts) or one the playbook declares under `roles:`. */
const RoleName = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'role names are lower-case letters, digits, - and _');
const Owner = RoleName.meta({
  description:
    'The role this is for: commander, comms, processor, scribe, or one declared under roles:. Shown to the person holding it (payctl incident assign)',
});

export const Reminder = z.union([
  Duration,
  z.strictObject({
    every: Duration,
    message: Template.optional().meta({ description: 'What to remind the responder of' }),
    owner: Owner.optional(),
  }),
]);

/** `confirm:` — true, the question, or the question with a second person required. */
export const Confirm = z
  .union([
    z.boolean(),
    z.string(),
    z.strictObject({
      message: Template.meta({ description: 'The question to ask' }),
      second_person: z.boolean().optional().meta({
        description:
          'Someone other than the runner must approve it (payctl incident approve); the run waits for them, and --yes does not pass it',
      }),
    }),
  ])
  .meta({
    description:
      'An approval gate: true, the question to ask, or { message, second_person }. Unattended runs need --yes (a second-person gate needs another person).',
  });

const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'step ids are lower-case letters, digits, - and _'),
  title: z.string().min(1),
  description: z.string().optional(),
  when: Condition.optional(),
  confirm: Confirm.optional(),
  timeout: StepDuration.optional().meta({ description: 'Give up after this long (for wait with until: how long to wait)' }),
  retries: z.number().int().min(0).max(20).optional(),
  on_failure: z.enum(['abort', 'continue', 'ask']).optional().meta({ description: 'What happens when the step fails (default ask)' }),
  remind_every: Reminder.optional(),
  mitigates: z.boolean().optional().meta({ description: 'Success of this step marks the incident mitigated' }),
};

const Choice = z.union([z.string(), z.strictObject({ value: z.string(), label: z.string().optional() })]);

export const ManualStep = z.strictObject({
  ...common,
  type: z.literal('manual'),
  owner: Owner.optional(),
  instructions: Template.optional(),
  checklist: z.array(Template).optional(),
});
export const InputStep = z.strictObject({
  ...common,
  type: z.literal('input'),
  prompt: Template,
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  choices: z.array(Choice).optional(),
});
export const ChooseStep = z.strictObject({
  ...common,
  type: z.literal('choose'),
  prompt: Template,
  options: z.array(Choice).min(1),
  default: z.string().optional(),
});
export const CheckStatusStep = z.strictObject({
  ...common,
  type: z.literal('check_status'),
  provider: Template,
  overlap_with: Template.optional().meta({
    description:
      "Another provider: its current maintenance window (in progress, else the next) is compared with this provider's windows; the overlaps are in result.overlapping_maintenances",
  }),
});
export const QueryMetricsStep = z.strictObject({
  ...common,
  type: z.literal('query_metrics'),
  metric: z.enum(['success_rate', 'decline_codes']),
  window: StepDuration.optional(),
  provider: Template.optional(),
});
export const SwitchProviderStep = z.strictObject({
  ...common,
  type: z.literal('switch_provider'),
  to: Template,
  from: Template.optional(),
  force: z.boolean().optional(),
  share: z
    .union([z.number().int().min(1).max(100), Template])
    .optional()
    .meta({
      description:
        'Percent of traffic for the target (default 100); the rest stays on the provider that has it. Needs a routing adapter that can split',
    }),
});
/** Percents of traffic, in order: a list, or a template giving "10,25,50,100". */
const Stages = z.union([z.array(z.number().int().min(1).max(100)).min(1), Template]);
export const ShiftTrafficStep = z.strictObject({
  ...common,
  type: z.literal('shift_traffic'),
  to: Template.optional().meta({ description: 'Provider traffic moves to (default: routing.primary, a failback)' }),
  stages: Stages.meta({ description: 'Percent of traffic for the target at each stage, e.g. [10, 25, 50, 100]' }),
  hold: StepDuration.meta({ description: 'How long each stage holds while its success rate is read' }),
  min_success_rate: z
    .union([z.number().min(0).max(1), Template])
    .optional()
    .meta({ description: "The target's success rate a stage must keep (default config thresholds.success_rate)" }),
  min_attempts: z
    .union([z.number().int().min(0), Template])
    .optional()
    .meta({ description: 'Payments the target must have attempted in a stage before its rate counts (default 100)' }),
  force: z.boolean().optional(),
});
export const NotifyStep = z.strictObject({
  ...common,
  type: z.literal('notify'),
  channels: z.array(z.string()).min(1),
  template: z.string(),
  vars: z.record(z.string(), z.union([Template, z.number(), z.boolean()])).optional(),
});
export const EscalateStep = z.strictObject({
  ...common,
  type: z.literal('escalate'),
  to: Template,
  template: z.string(),
  severity: z.enum(SEVERITIES).optional(),
  action: z.enum(['trigger', 'acknowledge', 'resolve']).optional(),
  vars: z.record(z.string(), z.union([Template, z.number(), z.boolean()])).optional(),
});
export const HttpStep = z.strictObject({
  ...common,
  type: z.literal('http'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  url: Template,
  headers: z.record(z.string(), Template).optional(),
  body: z.unknown().optional(),
  expect_status: z.union([z.number().int(), z.array(z.number().int())]).optional(),
  capture: z.record(z.string(), z.string()).optional().meta({ description: 'name → JSON path in the response body, e.g. data.id' }),
});
export const ShellStep = z.strictObject({
  ...common,
  type: z.literal('shell'),
  command: z.array(Template).min(1).meta({ description: 'Program and arguments; never run through a shell' }),
  cwd: Template.optional(),
  env: z.record(z.string(), Template).optional(),
  expect_exit: z.number().int().optional(),
});
export const WaitStep = z.strictObject({
  ...common,
  type: z.literal('wait'),
  duration: StepDuration.optional().meta({ description: 'A fixed wait' }),
  until: Condition.optional().meta({ description: 'Wait until this condition holds; checked every interval, gives up after timeout' }),
  label: Template.optional().meta({
    description:
      'The condition in words, shown on screen instead of the until expression (e.g. "stripe reports operational"); default: the title',
  }),
  interval: StepDuration.optional().meta({ description: 'Time between checks of until (default 30s)' }),
  recheck: z
    .array(z.string())
    .optional()
    .meta({ description: 'Ids of earlier check_status/query_metrics/http steps re-run before each check of until, so it sees fresh data' }),
  message: Template.optional(),
});
export const SetStatusStep = z.strictObject({
  ...common,
  type: z.literal('set_status'),
  status: z.enum(INCIDENT_STATUSES),
  message: Template.optional(),
});

export const Step = z.discriminatedUnion('type', [
  ManualStep,
  InputStep,
  ChooseStep,
  CheckStatusStep,
  QueryMetricsStep,
  SwitchProviderStep,
  ShiftTrafficStep,
  NotifyStep,
  EscalateStep,
  HttpStep,
  ShellStep,
  WaitStep,
  SetStatusStep,
]);

export const INPUT_TYPES = ['text', 'number', 'boolean', 'duration', 'provider', 'url'] as const;

export const ASK_MODES = ['early', 'late', 'never'] as const;

export const PlaybookInput = z.strictObject({
  prompt: z.string(),
  description: z.string().optional(),
  type: z.enum(INPUT_TYPES).optional().meta({
    description:
      'What an answer must be: provider (a configured provider), duration (30s, 5m, 2h), url (http:// or https://; empty for none), number, boolean or text. Default: the type of `default` (a literal duration default makes it a duration).',
  }),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  choices: z.array(Choice).optional(),
  required: z.boolean().optional(),
  ask: z.enum(ASK_MODES).optional().meta({
    description:
      'When a person is asked: early (before the first step, the default), late (not asked up front: takes its default, shown in one summary line, changed with payctl incident set), never (its default or --var only)',
  }),
});

export const Trigger = z.strictObject({
  provider: z.string().optional().meta({ description: 'A provider name, or "primary"/"any"' }),
  status: z.array(z.enum(PROVIDER_STATUSES)).optional(),
  success_rate_below: z.number().min(0).max(1).optional(),
  decline_rate_above: z.number().min(0).max(1).optional().meta({
    description: 'The share of payment attempts declined (with one of decline_codes when given, else with any code) is above this',
  }),
  decline_codes: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: 'The decline codes decline_rate_above counts, e.g. [do_not_honor, generic_decline]' }),
  maintenance_within: Duration.optional(),
  description: z.string().optional(),
});

/** What a drill checks after running the playbook against the sandbox (see docs/playbooks.md). */
export const DrillExpect = z.strictObject({
  traffic_on: z.string().optional(),
  within: Duration.optional(),
  notified: z.array(z.string()).optional(),
  escalated: z.string().optional(),
  success_rate_above: z.number().min(0).max(1).optional(),
  failback: z.boolean().optional(),
  canary: z.enum(['completed', 'halted']).optional().meta({
    description:
      'A shift_traffic (canary) step ran and completed (every stage held) or halted (a stage read the target below its threshold over enough payments, and the routing was rolled back)',
  }),
  canary_customers_above: z.number().min(0).max(1).optional().meta({
    description: "Customers' overall success rate (the sandbox's own, all providers) stayed above this throughout the canary",
  }),
  status: z.enum(INCIDENT_STATUSES).optional(),
});

const DrillFault = z.string().meta({ description: 'Fault injected into the sandbox, e.g. "stripe:down"' });
const DrillVars = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const DrillOrdersPerMinute = z
  .number()
  .positive()
  .meta({ description: "The sandbox's simulated payments per minute (default 120): more gives a canary stage its sample sooner" });

/** Another drill of the same playbook: its own fault and expectations; vars merged over the drill's. */
export const DrillScenario = z.strictObject({
  description: z.string().optional(),
  fault: DrillFault,
  orders_per_minute: DrillOrdersPerMinute.optional(),
  vars: DrillVars.optional().meta({ description: "Answers merged over the drill's own vars" }),
  expect: DrillExpect,
});

export const DrillSpec = z.strictObject({
  fault: DrillFault,
  orders_per_minute: DrillOrdersPerMinute.optional(),
  vars: DrillVars.optional(),
  expect: DrillExpect,
  scenarios: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'scenario names are lower-case letters, digits and -'), DrillScenario)
    .optional()
    .meta({ description: 'Other drills of this playbook, run with payctl drill <playbook> --scenario <name>' }),
});

export const Playbook = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'playbook ids are lower-case letters, digits and -'),
  title: z.string().min(1),
  description: z.string().optional(),
  severity: z.enum(SEVERITIES).default('sev2'),
  triggers: z.array(Trigger).optional(),
  inputs: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'input names are lower-case letters, digits and _'), PlaybookInput).optional(),
  remind_every: Reminder.optional(),
  roles: z
    .record(RoleName, z.string())
    .optional()
    .meta({ description: "The playbook's own roles beyond commander, comms, processor and scribe: name → what the role does" }),
  steps: z.array(Step).min(1),
  drill: DrillSpec.optional(),
});

export type Playbook = z.infer<typeof Playbook>;
export type Step = z.infer<typeof Step>;
export type StepType = Step['type'];
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;
export type PlaybookInput = z.infer<typeof PlaybookInput>;
export type Choice = z.infer<typeof Choice>;
export type Severity = (typeof SEVERITIES)[number];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type ProviderStatus = (typeof PROVIDER_STATUSES)[number];
export type Reminder = z.infer<typeof Reminder>;
export type Confirm = z.infer<typeof Confirm>;
export type DrillSpec = z.infer<typeof DrillSpec>;
export type DrillScenario = z.infer<typeof DrillScenario>;
export type DrillExpect = z.infer<typeof DrillExpect>;

/** payctl template list | render: preview customer and processor messages. */
import { rolesLine } from '../playbook/roles.js';
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { formatDuration } from '../duration.js';
import { loadIncident } from '../store/load.js';
import { listMessageTemplateNames, loadMessageTemplate, MESSAGE_CHANNELS, type MessageChannel } from '../messages/templates.js';
import { renderMessage, type RenderedMessage } from '../messages/render.js';
import { SAMPLE_INCIDENT, sampleVars } from '../messages/sample.js';
import { parseVars } from '../ui/answers.js';

export async function list(ctx: Context): Promise<void> {
  const dir = ctx.config().templatesDir;
  const items = listMessageTemplateNames(dir).map((name) => {
    const t = loadMessageTemplate(dir, name);
    return {
      name,
      description: t.description,
      channels: MESSAGE_CHANNELS.filter((c) => t.variants[c] !== undefined),
      vars: Object.entries(t.vars).map(([v, d]) => ({
        name: v,
        description: d.description ?? '',
        required: Boolean(d.required),
        default: d.default ?? null,
      })),
      file: t.file,
    };
  });
  if (ctx.out.jsonMode) {
    ctx.out.json(items);
    return;
  }
  if (!items.length) {
    ctx.out.line(`No message templates in ${dir}/messages.`);
    return;
  }
  const w = Math.max(...items.map((i) => i.name.length));
  for (const i of items) {
    ctx.out.line(`${i.name.padEnd(w)}  ${i.description}`);
    ctx.out.line(`${''.padEnd(w)}  channels: ${i.channels.join(', ')}`);
    const vars = i.vars.map((v) => `${v.name}${v.required ? ' (required)' : v.default !== null ? ' (has default)' : ''}`);
    ctx.out.line(`${''.padEnd(w)}  vars: ${vars.join(', ') || 'none'}`);
  }
}

export interface RenderOptions {
  incident?: string;
  /** name=value for the template's vars. */
  var?: string[];
  channel?: string;
  json?: boolean;
}

export async function render(ctx: Context, name: string, opts: RenderOptions): Promise<void> {
  const lc = ctx.config();
  const t = loadMessageTemplate(lc.templatesDir, name);
  let channels: MessageChannel[];
  if (opts.channel) {
    if (!(MESSAGE_CHANNELS as readonly string[]).includes(opts.channel))
      throw new InvalidInputError(`--channel must be one of ${MESSAGE_CHANNELS.join(', ')}, not "${opts.channel}"`);
    channels = [opts.channel as MessageChannel];
  } else channels = MESSAGE_CHANNELS.filter((c) => t.variants[c] !== undefined);

  const given = parseVars(opts.var).values;
  const unknown = Object.keys(given).filter((k) => !(k in t.vars));
  if (unknown.length) {
    const declared = Object.keys(t.vars);
    throw new InvalidInputError(
      `template ${name} has no var ${unknown.map((k) => `"${k}"`).join(', ')}`,
      declared.length ? `its vars: ${declared.join(', ')}` : 'it declares no vars',
    );
  }
  // the incident's answers fill vars of the same name (a playbook passes its inputs on that way); --var wins
  let answers: Record<string, unknown> = {};
  let incident: Record<string, unknown> = SAMPLE_INCIDENT;
  if (opts.incident) {
    const { resolveIncidentId } = await import('./incident-id.js');
    const s = (await loadIncident(await ctx.store(), await resolveIncidentId(ctx, opts.incident))).state;
    answers = Object.fromEntries(Object.entries(s.answers).filter(([k]) => k in t.vars));
    const end = s.status === 'resolved' ? Date.parse(s.updated_at) : ctx.clock.now().getTime();
    incident = {
      id: s.id,
      title: s.title,
      severity: s.severity,
      status: s.status,
      playbook: s.playbook ?? '',
      started_at: s.milestones.detected ?? s.opened_at,
      elapsed: formatDuration(Math.max(0, end - Date.parse(s.milestones.detected ?? s.opened_at))),
      dry_run: s.dry_run,
      roles: { ...s.roles },
      team: rolesLine(s.roles),
    };
  }
  const { vars, sampled } = sampleVars(t, { ...answers, ...given });
  const scope = { incident, config: lc.config, vars, now: ctx.clock.now().toISOString(), inputs: {}, steps: {} };
  const messages: RenderedMessage[] = [];
  for (const c of channels) messages.push(await renderMessage(lc.templatesDir, name, c, scope));
  const notes: string[] = [];
  if (!opts.incident) notes.push('sample incident data (pass --incident <id> to use a real one)');
  const fromIncident = Object.keys(answers).filter((k) => given[k] === undefined);
  if (fromIncident.length) notes.push(`from the incident's answers: ${fromIncident.join(', ')}`);
  if (sampled.length)
    notes.push(
      `sample values for required vars: ${sampled.join(', ')} (set them with --var name=value; a playbook step supplies them under vars:)`,
    );
  if (ctx.out.jsonMode) {
    ctx.out.json({
      template: name,
      incident: opts.incident ?? null,
      sample_incident: !opts.incident,
      sampled_vars: sampled,
      vars,
      messages,
    });
    return;
  }
  for (const n of notes) ctx.out.info(`note: ${n}`);
  for (const m of messages) {
    ctx.out.line(`--- ${m.channel}${m.channel === 'social' ? ` (${[...m.body].length}/280 characters)` : ''}`);
    if (m.subject !== undefined) ctx.out.line(`${m.channel === 'email' ? 'Subject' : 'Title'}: ${m.subject}`);
    if (m.subject !== undefined) ctx.out.line();
    ctx.out.line(m.body);
    ctx.out.line();
  }
}

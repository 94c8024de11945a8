/**
 * A playbook as a readable outline for `payctl playbook show`: description,
 * triggers, inputs with defaults, then each step numbered with its type,
 * condition, gate, failure policy and reminders.
 */
import type { ChalkInstance } from 'chalk';
import { choiceValue, type Confirm, type DrillExpect, type Playbook, type Reminder, type Step } from './schema.js';

export function outlinePlaybook(pb: Playbook, file: string, c: ChalkInstance): string[] {
  const out: string[] = [];
  out.push(c.bold(`${pb.title}`) + c.dim(`  (${pb.id}, ${pb.severity}, ${pb.steps.length} steps)`));
  out.push(c.dim(file));
  if (pb.description) {
    out.push('');
    for (const line of pb.description.trim().split('\n')) out.push(`  ${line}`);
  }
  if (pb.triggers?.length) {
    out.push('', c.bold('Triggers'));
    for (const t of pb.triggers) {
      const parts: string[] = [];
      if (t.provider) parts.push(`provider ${t.provider}`);
      if (t.status?.length) parts.push(`status ${t.status.join(' or ')}`);
      if (t.success_rate_below !== undefined) parts.push(`success rate below ${pct(t.success_rate_below)}`);
      if (t.decline_rate_above !== undefined)
        parts.push(`decline rate above ${pct(t.decline_rate_above)}${t.decline_codes?.length ? ` (${t.decline_codes.join(', ')})` : ''}`);
      if (t.maintenance_within) parts.push(`maintenance within ${t.maintenance_within}`);
      out.push(`  - ${parts.join(', ') || 'any'}${t.description ? c.dim(`: ${t.description}`) : ''}`);
    }
  }
  const inputs = Object.entries(pb.inputs ?? {});
  if (inputs.length) {
    out.push('', c.bold('Inputs'));
    for (const [name, input] of inputs) {
      const extra: string[] = [];
      if (input.default !== undefined) extra.push(`default ${String(input.default)}`);
      if (input.choices?.length) extra.push(`one of ${input.choices.map(choiceValue).join(', ')}`);
      if (input.required) extra.push('required');
      if (input.ask === 'late') extra.push('not asked up front (payctl incident set)');
      if (input.ask === 'never') extra.push('never asked');
      out.push(`  ${c.cyan(name)}: ${input.prompt}${extra.length ? c.dim(`  [${extra.join('; ')}]`) : ''}`);
    }
  }
  if (pb.remind_every) out.push('', `Reminder: ${reminder(pb.remind_every)}`);
  out.push('', c.bold('Steps'));
  const width = String(pb.steps.length).length;
  pb.steps.forEach((step, i) => {
    out.push(`  ${String(i + 1).padStart(width)}. ${c.bold(step.title)} ${c.dim(`[${step.type}] ${step.id}`)}`);
    const pad = ' '.repeat(width + 4);
    for (const line of stepDetails(step)) out.push(`${pad}${line}`);
    if (step.when) out.push(`${pad}${c.yellow('when')} ${step.when}`);
    if (step.confirm) out.push(`${pad}${c.yellow('gate')} ${gate(step.confirm)}`);
    if (step.type === 'manual' && step.owner) out.push(`${pad}owner: ${step.owner}`);
    if (step.on_failure) out.push(`${pad}on failure: ${step.on_failure}`);
    if (step.retries) out.push(`${pad}retries: ${step.retries}`);
    if (step.timeout) out.push(`${pad}timeout: ${step.timeout}`);
    if (step.remind_every) out.push(`${pad}reminder: ${reminder(step.remind_every)}`);
  });
  if (pb.drill) {
    out.push('', c.bold('Drill'), `  fault ${pb.drill.fault}`);
    const expects = drillExpects(pb.drill.expect);
    if (expects.length) out.push(`  expects ${expects.join('; ')}`);
    for (const [name, sc] of Object.entries(pb.drill.scenarios ?? {})) {
      out.push(`  scenario ${name} (payctl drill ${pb.id} --scenario ${name}): fault ${sc.fault}`);
      const e = drillExpects(sc.expect);
      if (e.length) out.push(`    expects ${e.join('; ')}`);
    }
  }
  return out;
}

function drillExpects(e: DrillExpect): string[] {
  const expects: string[] = [];
  if (e.traffic_on) expects.push(`traffic on ${e.traffic_on}${e.within ? ` within ${e.within}` : ''}`);
  if (e.notified?.length) expects.push(`notified ${e.notified.join(', ')}`);
  if (e.escalated) expects.push(`escalated to ${e.escalated}`);
  if (e.success_rate_above !== undefined) expects.push(`success rate above ${pct(e.success_rate_above)}`);
  if (e.failback !== undefined) expects.push(e.failback ? 'failed back' : 'no failback');
  if (e.canary) expects.push(`canary ${e.canary}`);
  if (e.canary_customers_above !== undefined) expects.push(`customers above ${pct(e.canary_customers_above)} during the canary`);
  if (e.status) expects.push(`status ${e.status}`);
  return expects;
}

/** The fields that say what a step does, one short line each. */
function stepDetails(step: Step): string[] {
  switch (step.type) {
    case 'manual':
      return [...(step.instructions ? firstLines(step.instructions) : []), ...(step.checklist ?? []).map((i) => `[ ] ${i}`)];
    case 'input':
      return [`asks: ${step.prompt}${step.default !== undefined ? ` (default ${String(step.default)})` : ''}`];
    case 'choose':
      return [`asks: ${step.prompt}`, `options: ${step.options.map(choiceValue).join(', ')}`];
    case 'check_status':
      return [`provider: ${step.provider}`];
    case 'query_metrics':
      return [`metric: ${step.metric}${step.window ? ` over ${step.window}` : ''}${step.provider ? ` for ${step.provider}` : ''}`];
    case 'switch_provider':
      return [`traffic ${step.from ? `from ${step.from} ` : ''}to ${step.to}${step.force ? ' (forced)' : ''}`];
    case 'shift_traffic':
      return [
        `traffic to ${step.to ?? 'the primary'} in stages ${Array.isArray(step.stages) ? step.stages.join(', ') : step.stages}%, each held ${step.hold}`,
      ];
    case 'notify':
      return [`${step.template} → ${step.channels.join(', ')}`];
    case 'escalate':
      return [`to ${step.to} with ${step.template}${step.severity ? ` (${step.severity})` : ''}`];
    case 'http':
      return [`${step.method} ${step.url}`];
    case 'shell':
      return [`runs: ${step.command.join(' ')}`];
    case 'wait':
      return step.until
        ? [
            `until ${step.until}`,
            `every ${step.interval ?? '30s'}${step.timeout ? `, at most ${step.timeout}` : ''}${step.recheck?.length ? `, re-running ${step.recheck.join(', ')}` : ''}`,
          ]
        : [`for ${step.duration ?? '?'}`];
    case 'set_status':
      return [`status → ${step.status}`];
  }
}

function firstLines(text: string): string[] {
  const lines = text.trim().split('\n');
  return lines.length > 3 ? [...lines.slice(0, 3), '…'] : lines;
}

function reminder(r: Reminder): string {
  return typeof r === 'string' ? `every ${r}` : `every ${r.every}${r.owner ? ` for ${r.owner}` : ''}${r.message ? `: ${r.message}` : ''}`;
}

function gate(confirm: Confirm): string {
  if (confirm === true) return 'asks for approval';
  if (typeof confirm === 'object')
    return `${confirm.message}${confirm.second_person ? ' (a second person approves: payctl incident approve)' : ''}`;
  return String(confirm);
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

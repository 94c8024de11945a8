/** The raw timeline as a readable Markdown log, for sharing. */
import type { TimelineEvent } from '../timeline/events.js';
import type { TimelineProblem } from '../timeline/read.js';
import type { IncidentState } from '../timeline/replay.js';
import { redact } from '../secrets.js';
import { cleanText } from '../control-chars.js';
import { describeEvent } from './describe.js';
import { cell, inline } from './markdown.js';
import { formatTime, sinceStart } from './time.js';

export function timelineMarkdown(state: IncidentState, events: TimelineEvent[], problems: TimelineProblem[]): string {
  const out: string[] = [];
  out.push(`# Incident ${state.id}: ${inline(state.title)}`, '');
  out.push(`- Severity: ${state.severity}`);
  out.push(`- Status: ${state.status}${state.dry_run ? ' (dry run)' : ''}`);
  out.push(`- Playbook: ${inline(state.playbook ?? 'none')}`);
  out.push(`- Opened: ${formatTime(state.opened_at)} via ${inline(state.source)}`);
  const ms = Object.entries(state.milestones);
  out.push(`- Milestones: ${ms.length ? ms.map(([k, v]) => `${k} ${formatTime(v)}`).join('; ') : 'none recorded'}`);
  out.push(`- Events: ${events.length}`, '');
  if (problems.length || state.warnings.length) {
    out.push('## Problems reading the timeline', '');
    for (const w of state.warnings) out.push(`- ${inline(w)}`);
    out.push('');
  }
  out.push('## Log', '', '| # | Time (UTC) | Since open | Actor | Type | Step | Event |', '|---|---|---|---|---|---|---|');
  for (const e of events) {
    out.push(
      `| ${e.seq} | ${formatTime(e.time)} | ${sinceStart(state.opened_at, e.time)} | ${cell(e.actor)} | ${cell(e.type)} | ${cell(e.step ?? '')} | ${cell(describeEvent(e))} |`,
    );
  }
  out.push('');
  return cleanText(redact(out.join('\n')), { multiline: true });
}

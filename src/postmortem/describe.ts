/** One line of plain text per timeline event, for the postmortem table and the Markdown export. */
import type { TimelineEvent } from '../timeline/events.js';
import { formatDuration } from '../duration.js';
import { percent } from './markdown.js';
import { describeTrafficStage } from '../timeline/traffic-stage.js';
import { isBuiltInIncident } from '../engine/built-in-steps.js';

function short(v: unknown, max = 120): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

function channels(v: unknown): string {
  if (!v || typeof v !== 'object') return '';
  return Object.entries(v as Record<string, { ok?: boolean; error?: string }>)
    .map(([name, r]) => (r?.ok ? `${name} ✓` : `${name} ✗${r?.error ? ` (${short(r.error, 60)})` : ''}`))
    .join(', ');
}

function completed(e: Extract<TimelineEvent, { type: 'step_completed' }>): string {
  const d = e.data;
  const r = (d.result ?? {}) as Record<string, unknown>;
  const step = e.step ?? '?';
  if (d.outcome === 'skipped') return `Step ${step} skipped${d.reason ? `: ${short(d.reason)}` : ''}`;
  const failed = d.outcome === 'failed' ? ` failed${d.reason ? `: ${short(d.reason)}` : ''}` : '';
  switch (d.step_type) {
    case 'check_status':
      return `Checked ${String(r.provider ?? '?')}: ${String(r.status ?? 'unknown')}${failed}`;
    case 'query_metrics':
      if (r.metric === 'decline_codes' && r.breakdown && typeof r.breakdown === 'object') {
        const top = Object.entries(r.breakdown as Record<string, number>)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3);
        return `Decline codes: ${top.map(([k, v]) => `${k} ${v <= 1 ? percent(v) : v}`).join(', ') || 'none'}${failed}`;
      }
      return `Success rate ${typeof r.value === 'number' ? percent(r.value) : 'n/a'}${r.provider ? ` (${String(r.provider)})` : ''}${failed}`;
    case 'switch_provider':
      return `Switched traffic ${String(r.from ?? '?')} → ${String(r.to ?? '?')}${d.outcome === 'ok' ? (r.verified ? ' (verified)' : ' (not verified)') : ''}${r.rolled_back ? ' (rolled back)' : ''}${failed}`;
    case 'shift_traffic': {
      const stages = Array.isArray(r.results) ? (r.results as { result?: string; share?: number; success_rate?: number | null }[]) : [];
      const held = stages
        .filter((s) => s.result === 'held')
        .map((s) => `${s.share}%${typeof s.success_rate === 'number' ? ` (${percent(s.success_rate)})` : ''}`);
      const head = r.completed
        ? `Canary to ${String(r.to ?? '?')} completed`
        : `Canary to ${String(r.to ?? '?')} halted${r.reason ? `: ${short(String(r.reason))}` : ''}`;
      return `${head}${held.length ? `; stages held: ${held.join(', ')}` : ''}${failed}`;
    }
    case 'notify':
      return `Sent ${String(r.template ?? 'message')}: ${channels(r.channels) || 'no channels'}${failed}`;
    case 'escalate':
      return `Escalated to ${String(r.provider ?? '?')} (${String(r.action ?? 'trigger')}): ${channels(r.channels) || 'no channels'}${failed}`;
    default:
      return `Step ${step} ${d.outcome}${d.outcome === 'failed' && d.reason ? `: ${short(d.reason)}` : ''}${d.attempt > 1 ? ` (attempt ${d.attempt})` : ''}`;
  }
}

export function describeEvent(e: TimelineEvent): string {
  switch (e.type) {
    case 'incident_opened':
      return isBuiltInIncident(e.data)
        ? `Incident opened: "${short(e.data.title)}" (${e.data.severity}, via payctl ${e.data.source}${e.data.dry_run ? ', dry run' : ''})`
        : `Incident opened: "${short(e.data.title)}" (${e.data.severity}${e.data.playbook ? `, playbook ${e.data.playbook}` : ''}, via ${e.data.source}${e.data.dry_run ? ', dry run' : ''})`;
    case 'input_answered':
      return `Input ${e.data.name} = ${short(e.data.value, 60)} (${e.data.from})`;
    case 'step_started':
      return `Step ${e.step ?? '?'} started: ${short(e.data.title)}${e.data.attempt > 1 ? ` (attempt ${e.data.attempt})` : ''}`;
    case 'step_completed':
      return completed(e);
    case 'approval_requested':
      return `Approval asked${e.data.second_person ? ' of a second person' : ''}: "${short(e.data.question)}"`;
    case 'approval_given':
      return e.data.by === 'second_person'
        ? `Approved by ${e.actor} (second person, after ${formatDuration(e.data.waited_ms)})`
        : `Approved (${e.data.by}, after ${formatDuration(e.data.waited_ms)})`;
    case 'approval_denied':
      return e.data.by === 'second_person'
        ? `Declined by ${e.actor}${e.data.reason ? `: ${short(e.data.reason)}` : ''}`
        : 'Approval denied';
    case 'role_assigned':
      return e.data.handoff
        ? `Handoff: ${e.data.previous ?? '(nobody)'} → ${e.data.person} as commander${e.data.note ? `: ${short(e.data.note)}` : ''}`
        : `Role ${e.data.role}: ${e.data.person}${e.data.previous ? ` (was ${e.data.previous})` : ''}`;
    case 'status_changed':
      return `Status ${e.data.from ?? '(none)'} → ${e.data.to}${e.data.message ? `: ${short(e.data.message)}` : ''}`;
    case 'milestone':
      return `Milestone: ${e.data.name}${e.data.at && e.data.at !== e.time ? ` (at ${e.data.at})` : ''}${e.data.note ? `: ${short(e.data.note)}` : ''}`;
    case 'note_added':
      return `Note: ${short(e.data.text, 300)}`;
    case 'reminder_fired':
      return `Reminder${e.data.owner ? ` for ${e.data.owner.role}${e.data.owner.person ? ` (${e.data.owner.person})` : ''}` : ''}: ${short(e.data.message || e.data.reminder)}`;
    case 'channel_sent':
      return `Sent to ${e.data.channel}`;
    case 'decision':
      return `Decision: ${e.data.choice} (${short(e.data.about)})`;
    case 'run_started':
      return e.data.resume ? 'Run resumed' : 'Run started';
    case 'run_stopped':
      return `Run stopped: ${short(e.data.reason)}`;
    case 'run_finished':
      return `Run finished (${e.data.outcome})`;
    case 'incident_cancelled':
      return `Cancelled: ${short(e.data.reason)}`;
    case 'traffic_stage': {
      const text = describeTrafficStage(e.data);
      return `Step ${e.step ?? '?'}: ${text[0]!.toUpperCase()}${text.slice(1)}`;
    }
    case 'store_reconciled':
      return `Spooled events pushed to the shared store: ${e.data.pushed} from ${e.data.host}${e.data.appended_meanwhile ? ` (after ${e.data.appended_meanwhile} appended meanwhile)` : ''}`;
    default:
      // every known type has its case above (a missing one fails the type check); this is a newer payctl's
      e satisfies never;
      return `Unknown event type "${String((e as { type: unknown }).type)}" (written by a newer payctl?)`;
  }
}

/** Routine events: left out of the postmortem table when the timeline is long. */
export function isRoutine(e: TimelineEvent): boolean {
  if (e.type === 'step_started' || e.type === 'input_answered' || e.type === 'run_started') return true;
  if (e.type === 'approval_requested') return !e.data.second_person; // waiting for a second person is part of the story
  if (e.type === 'reminder_fired' || e.type === 'channel_sent') return true; // the step's result lists its channels
  if (e.type === 'step_completed') {
    const t = e.data.step_type;
    return (
      e.data.outcome === 'ok' &&
      (t === 'check_status' || t === 'query_metrics' || t === 'wait' || t === 'manual' || t === 'input' || t === 'choose')
    );
  }
  return false;
}

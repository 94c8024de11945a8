/**
 * payctl incident show <id>: status, severity, playbook, roles, the
 * second-person approvals (timeline/approvals-view.ts), milestones, then the
 * timeline with absolute and relative times. The store's timeline is walked
 * twice (replay, then print) without keeping every event, so a 100,000-event
 * timeline stays small; --json copies each event's line as stored (store.lines,
 * not parsed again). A torn last line is reported, not fatal; a broken hash
 * chain (an edited line) is checked in the first walk and named in a warning
 * on stderr (the command still succeeds).
 */
import type { Context } from '../context.js';
import { formatDuration } from '../duration.js';
import { redact, redactBytes } from '../secrets.js';
import { MILESTONES, type TimelineEvent } from '../timeline/events.js';
import type { TimelineProblem } from '../timeline/read.js';
import { Replayer, type IncidentState } from '../timeline/replay.js';
import { approvalStanding, approvalsView } from '../timeline/approvals-view.js';
import { rolesLine } from '../playbook/roles.js';
import type { Store } from '../store/store.js';
import { brokenChainWarning, ChainCheck } from '../timeline/verify.js';
import { InvalidInputError } from '../errors.js';
import { readWithLiveness, runCondition, waitingForResume } from '../timeline/run-state.js';
import { describeTrafficStage } from '../timeline/traffic-stage.js';

export async function showIncident(ctx: Context, id: string): Promise<void> {
  const store = await ctx.store();
  const problems: TimelineProblem[] = [];
  let r: Replayer | undefined;
  let lastEventLine = 0;
  // the hash chain is checked in the same pass (one sha256 per line)
  const chain = new ChainCheck();
  // whether a live process runs it is the run lock's answer (a killed run's timeline says running)
  const { state, live } = await readWithLiveness(store.locks, id, async () => {
    await store.scan(id, {
      event(ev, line, lineNo, bytes) {
        chain.event(ev, line, lineNo, bytes);
        lastEventLine = lineNo;
        if (r) r.apply(ev);
        else if (ev.type === 'incident_opened') r = new Replayer(ev);
      },
      problem(p) {
        chain.problem(p);
        problems.push(p);
      },
    });
    if (!r)
      throw new InvalidInputError(`${store.where(id, 1)}: the timeline does not begin with incident_opened; it is not a payctl timeline`);
    for (const p of problems) r.warn(`line ${p.line}: ${p.message}`);
    return r.state();
  });
  for (const p of problems) ctx.out.warn(`${store.where(id, p.line)}: ${p.message}`);
  // a warning, not a failure: `payctl incident verify` is the command that exits 1
  const broken = brokenChainWarning(chain.report());
  if (broken) ctx.out.warn(`${broken}: it may include edited events (details: payctl incident verify ${id})`);
  if (ctx.out.jsonMode) return streamJson(ctx, store, id, state, live, problems, lastEventLine);
  await printHuman(ctx, store, id, state, live);
}

/** Bytes of --json output gathered before each write. */
const OUT_CHUNK = 64 * 1024;
const EVENT_INDENT = Buffer.from('    ');
const EVENT_SEP = Buffer.from(',\n    ');

/**
 * { incident, problems, events: [...] }: the events' lines copied as stored,
 * byte for byte, not parsed again (redacted when written, and once more on the
 * way out). Only the lines the first pass read as events: its problem lines,
 * and lines appended since (after `lastEventLine`), are left out.
 */
async function streamJson(
  ctx: Context,
  store: Store,
  id: string,
  state: IncidentState,
  live: boolean,
  problems: TimelineProblem[],
  lastEventLine: number,
): Promise<void> {
  const stdout = ctx.streams.stdout;
  // run: as incident list says it (running only while a live process holds the run lock)
  const head = JSON.stringify(
    { incident: state, run: runCondition(state, live), approvals: approvalsView(state, live), problems },
    null,
    2,
  );
  stdout.write(redact(head.slice(0, head.lastIndexOf('}'))).trimEnd() + ',\n  "events": [\n');
  const skip = new Set(problems.map((p) => p.line));
  // each write gets its own buffer: the stream may keep it after write() returns
  let out = Buffer.allocUnsafe(OUT_CHUNK);
  let used = 0;
  const flush = () => {
    if (used) stdout.write(redactBytes(out.subarray(0, used)));
    used = 0;
  };
  let first = true;
  await store.lines(id, (bytes, start, end, lineNo) => {
    if (lineNo > lastEventLine || skip.has(lineNo)) return;
    const room = end - start + EVENT_SEP.length;
    if (used + room > out.length) {
      flush();
      out = Buffer.allocUnsafe(Math.max(OUT_CHUNK, room));
    }
    used += (first ? EVENT_INDENT : EVENT_SEP).copy(out, used);
    used += bytes.copy(out, used, start, end);
    first = false;
  });
  flush();
  stdout.write('\n  ]\n}\n');
}

async function printHuman(ctx: Context, store: Store, id: string, s: IncidentState, live: boolean): Promise<void> {
  const c = ctx.out.color;
  const opened = Date.parse(s.opened_at);
  const rel = (t: string) => formatDuration(Date.parse(t) - opened);
  ctx.out.line(`${c.bold(s.title)}${s.dry_run ? c.yellow('  [DRY RUN]') : ''}`);
  ctx.out.line(`  id        ${s.id}`);
  ctx.out.line(`  status    ${s.status}${s.cancelled ? ` (${s.cancelled.reason}; by ${s.cancelled.by} at ${s.cancelled.at})` : ''}`);
  ctx.out.line(`  severity  ${s.severity}`);
  ctx.out.line(`  playbook  ${s.playbook ?? '-'}`);
  ctx.out.line(`  opened    ${s.opened_at}   (payctl ${s.source})`);
  const since = s.run === 'stopped' && s.run_stopped_at_step ? s.approvals[s.run_stopped_at_step] : undefined;
  const answered = since && since.status !== 'waiting' ? ` (since ${approvalStanding(since)}: see approvals)` : '';
  const cond = runCondition(s, live);
  const resume = waitingForResume(s, live);
  const why = cond === 'interrupted' ? ' (its run ended without a word: killed, or the machine went down)' : '';
  ctx.out.line(`  run       ${cond}${s.run_stop_reason ? `: ${s.run_stop_reason}` : ''}${why}${answered}`);
  if (resume) ctx.out.line(`            resume with: ${resume.command}`);
  ctx.out.line(`  actors    ${s.actors.join(', ')}`);
  ctx.out.line(`  roles     ${rolesLine(s.roles ?? {}) || c.dim(`- (payctl incident assign ${s.id} --role commander --to <person>)`)}`);
  const approvals = approvalsView(s, live);
  if (approvals.length) {
    ctx.out.line(c.bold('approvals'));
    for (const g of approvals) {
      const standing = approvalStanding(g);
      const shown = g.status === 'waiting' ? c.yellow(standing) : g.status === 'denied' ? c.red(standing) : c.green(standing);
      ctx.out.line(`  ${g.step}: "${g.question}" asked by ${g.requested_by} at ${g.requested_at}: ${shown}`);
      if (g.next) ctx.out.line(`    next: ${g.next}`);
    }
  }
  ctx.out.line(c.bold('milestones'));
  for (const m of MILESTONES) {
    const at = s.milestones[m];
    ctx.out.line(`  ${m.padEnd(13)} ${at ? `${at}  (+${rel(at)})` : c.dim('-')}`);
  }
  ctx.out.line(c.bold('timeline'));
  let lines: string[] = [];
  await store.scan(id, {
    event(e) {
      lines.push(timelineLine(e, opened));
      if (lines.length >= 2000) {
        ctx.out.line(lines.join('\n'));
        lines = [];
      }
    },
    problem() {},
  });
  if (lines.length) ctx.out.line(lines.join('\n'));
}

/** An event's line in the timeline section: its time, the time since the incident opened (ms since epoch), actor, description. */
export function timelineLine(e: TimelineEvent, openedMs: number): string {
  return `  ${e.time}  ${('+' + formatDuration(Date.parse(e.time) - openedMs)).padStart(9)}  ${e.actor.padEnd(12)} ${describe(e)}`;
}

/** One line for an event. */
export function describe(e: TimelineEvent): string {
  const step = e.step ? `${e.step}: ` : '';
  switch (e.type) {
    case 'incident_opened':
      return `opened "${e.data.title}" (${e.data.severity}, playbook ${e.data.playbook ?? '-'})${e.data.dry_run ? ' [dry run]' : ''}`;
    case 'input_answered':
      return `input ${e.data.name} = ${JSON.stringify(e.data.value)} (${e.data.from})`;
    case 'step_started':
      return `${step}started ${e.data.step_type} "${e.data.title}"${e.data.attempt > 1 ? ` (attempt ${e.data.attempt})` : ''}${e.data.owner ? ` for ${e.data.owner.role} (${e.data.owner.person ?? 'nobody yet'})` : ''}`;
    case 'step_completed':
      return `${step}${e.data.outcome}${e.data.reason ? `: ${e.data.reason}` : ''}${e.data.warning ? ` ⚠ ${e.data.warning}` : ''}${e.data.duration_ms ? ` (${formatDuration(e.data.duration_ms)})` : ''}`;
    case 'approval_requested':
      return `${step}approval asked${e.data.second_person ? ' (a second person must approve)' : ''}: ${e.data.question}`;
    case 'approval_given':
      if (e.data.by === 'second_person') return `${step}approved by ${e.actor} (second person)`;
      return `${step}approved (${e.data.by === 'flag' ? '--yes' : 'by a person'})`;
    case 'approval_denied':
      return `${step}${e.data.by === 'second_person' ? `declined by ${e.actor}${e.data.reason ? `: ${e.data.reason}` : ''}` : 'not approved'}`;
    case 'status_changed':
      return `status ${e.data.from ?? '-'} → ${e.data.to}${e.data.message ? `: ${e.data.message}` : ''}`;
    case 'milestone':
      return `milestone ${e.data.name}${e.data.at ? ` at ${e.data.at}` : ''}${e.data.note ? ` (${e.data.note})` : ''}`;
    case 'note_added':
      return `note: ${e.data.text}`;
    case 'reminder_fired':
      return `reminder${e.data.owner ? ` for ${e.data.owner.role} (${e.data.owner.person ?? 'nobody yet'})` : ''}: ${e.data.message}`;
    case 'role_assigned':
      return `${e.data.handoff ? 'handoff: ' : ''}${e.data.role}: ${e.data.person}${e.data.previous ? ` (was ${e.data.previous})` : ''}${e.data.note ? ` — ${e.data.note}` : ''}`;
    case 'channel_sent':
      return `${step}sent to ${e.data.channel}`;
    case 'decision':
      return `${step}decision ${e.data.choice}: ${e.data.about}`;
    case 'run_started':
      return `${e.data.resume ? 'resumed' : 'run started'} (pid ${e.data.pid})`;
    case 'run_stopped':
      return `${step}run stopped (exit ${e.data.exit_code}): ${e.data.reason}`;
    case 'run_finished':
      return `run finished: ${e.data.outcome}`;
    case 'incident_cancelled':
      return `cancelled: ${e.data.reason}`;
    case 'traffic_stage':
      return `${step}${describeTrafficStage(e.data)}`;
    case 'store_reconciled':
      return `store: ${e.data.pushed} events spooled on ${e.data.host} since ${e.data.spooled_since} pushed${e.data.appended_meanwhile ? `, after ${e.data.appended_meanwhile} appended meanwhile` : ''}${e.data.already_stored ? ` (${e.data.already_stored} already stored)` : ''}`;
    default:
      // every known type has its case above (a missing one fails the type check); this is a newer payctl's
      e satisfies never;
      return `${(e as { type: string }).type}`;
  }
}

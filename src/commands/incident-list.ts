/**
 * payctl incident list, and the incidents waiting for a resume (`incident
 * resume` without an id). Each incident's run is judged by its timeline and
 * its run lock: running now, interrupted (killed), stopped, finished.
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { redactDeep } from '../secrets.js';
import type { ListedState } from '../store/store.js';
import { isOpen } from '../timeline/replay.js';
import { runCondition, waitingForResume, type ResumeWait, type RunCondition } from '../timeline/run-state.js';

/** One incident as listed: its listed state (or why it cannot be read) and whether a live process runs it. */
export interface IncidentSummary {
  id: string;
  state?: ListedState;
  problem?: string;
  live: boolean;
}

/**
 * Every incident, oldest first: the store's listed states (no timeline is
 * replayed), and for each whose run has no end, whether a live process holds
 * its run lock. Those whose lock is free are listed again before their run is
 * called interrupted: it may have ended between the listing and the look.
 */
export async function incidentSummaries(ctx: Context): Promise<IncidentSummary[]> {
  const store = await ctx.store();
  let listed = await store.list();
  const unended = listed.filter((s) => s.state?.run === 'running').map((s) => s.id);
  const live = await store.locks.runsHeld(unended);
  const free = unended.filter((id) => !live.has(id));
  if (free.length) {
    const again = new Map((await store.list(free)).map((s) => [s.id, s]));
    listed = listed.map((s) => (s.state?.run === 'running' && !live.has(s.id) ? (again.get(s.id) ?? s) : s));
  }
  return listed.map((s) => ({ ...s, live: live.has(s.id) }));
}

export interface ListedIncident {
  id: string;
  title: string;
  severity: string;
  status: string;
  playbook: string | null;
  opened_at: string;
  updated_at: string;
  /** running (a live process), interrupted (killed), stopped, finished, none. */
  run: RunCondition;
  /** Set when it waits for a resume: the command, and why. */
  waiting: ResumeWait | null;
  dry_run: boolean;
  cancelled?: { at: string; by: string; reason: string };
  problem?: string;
}

export interface ListOptions {
  status?: string;
  watch?: boolean;
  /** The newest this many rows (after --status); 0 or unset: every one. */
  limit?: string | number;
}

/** --limit: a whole number, 0 for every incident. */
function parseLimit(limit: ListOptions['limit']): number {
  if (limit === undefined) return 0;
  const n = Number(limit);
  if (!/^\d+$/.test(String(limit).trim()) || !Number.isSafeInteger(n))
    throw new InvalidInputError(
      `--limit "${limit}" is not a whole number`,
      'give how many of the newest incidents to list, or 0 for every one',
    );
  return n;
}

export async function listIncidents(ctx: Context, opts: ListOptions): Promise<void> {
  if (opts.status !== undefined && !['open', 'resolved', 'cancelled', 'waiting'].includes(opts.status)) {
    throw new InvalidInputError(`--status "${opts.status}" is not open, waiting, resolved or cancelled`);
  }
  const limit = parseLimit(opts.limit);
  const rows: ListedIncident[] = [];
  for (const { id, state: st, problem, live } of await incidentSummaries(ctx)) {
    if (!st) {
      // half-created (an empty timeline: killed or out of disk while opening) or not a payctl timeline: listed as broken
      ctx.out.warn(`incident ${id}: ${problem}`);
      if (opts.status === undefined)
        rows.push({
          id,
          title: '(broken: see payctl incident verify)',
          severity: '-',
          status: 'broken',
          playbook: null,
          opened_at: '-',
          updated_at: '-',
          run: 'none',
          waiting: null,
          dry_run: false,
          problem,
        });
      continue;
    }
    const waiting = waitingForResume(st, live) ?? null;
    if (opts.status === 'open' && !isOpen(st)) continue;
    if (opts.status === 'waiting' && !waiting) continue;
    if ((opts.status === 'resolved' || opts.status === 'cancelled') && st.status !== opts.status) continue;
    rows.push({
      id,
      title: st.title,
      severity: st.severity,
      status: st.status,
      playbook: st.playbook ?? null,
      opened_at: st.opened_at,
      updated_at: st.updated_at,
      run: runCondition(st, live),
      waiting,
      dry_run: st.dry_run,
      ...(st.cancelled ? { cancelled: st.cancelled } : {}),
    });
  }
  rows.reverse(); // newest first
  // every incident waiting for a resume is named below the table, however old
  const waiting = rows.filter((r) => r.waiting);
  const all = rows.length;
  if (limit && all > limit) {
    rows.length = limit;
    ctx.out.info(`the newest ${limit} of ${all} incidents${opts.status ? ` (${opts.status})` : ''}; --limit 0 lists every one`);
  }
  // --watch --json: one listing per line
  if (ctx.out.jsonMode && opts.watch) return void ctx.streams.stdout.write(JSON.stringify(redactDeep(rows)) + '\n');
  if (ctx.out.jsonMode) return ctx.out.json(rows);
  if (!rows.length)
    return ctx.out.line(opts.status ? `no ${opts.status} incidents` : 'no incidents yet (start one with: payctl incident start)');
  const c = ctx.out.color;
  const { formatTable } = await import('../ui/table.js');
  const table = [
    ['ID', 'STATUS', 'SEV', 'PLAYBOOK', 'OPENED', 'RUN', 'TITLE'].map((h) => c.bold(h)),
    ...rows.map((r) => [
      r.id,
      r.status === 'broken' ? c.red(r.status) : r.status,
      r.severity,
      r.playbook ?? '-',
      r.opened_at.slice(0, 19).replace('T', ' '),
      r.waiting ? c.yellow(`${r.run}: resume`) : r.run,
      `${r.title}${r.dry_run ? c.yellow(' [dry run]') : ''}`,
    ]),
  ];
  // one write for the whole table (10,000 rows are 10,000 lines)
  ctx.out.line((await formatTable(table)).join('\n'));
  if (waiting.length) {
    ctx.out.line('');
    ctx.out.line(`waiting for a resume (${waiting.length}):`);
    for (const r of waiting) ctx.out.line(`  ${r.waiting!.command}   ${c.dim(r.waiting!.why)}`);
  }
}

/** Changes this close together are one re-print (a playbook run appends several events at once). */
const SETTLE_MS = 100;

/**
 * incident list --watch: the listing, then again whenever an incident is created
 * or changes (from any process or machine: the store's watchList), until Ctrl-C (exit 0).
 */
export async function watchIncidentList(ctx: Context, opts: ListOptions): Promise<void> {
  const store = await ctx.store();
  const listed = { ...opts, watch: true };
  const stop = new AbortController();
  // Ctrl-C (or SIGTERM) is the normal end: exit 0; the listener stays so a second SIGINT does not kill it with 130
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  // one listing at a time: changes during one are listed once it ends (never a queue of listings)
  let printing: Promise<void> | undefined;
  let error: unknown;
  const schedule = () => {
    if (!timer && !printing && !stop.signal.aborted) timer = setTimeout(() => void (printing = reprint()), SETTLE_MS);
  };
  const reprint = async () => {
    timer = undefined;
    const ids = [...changed];
    changed.clear();
    try {
      if (!ctx.out.jsonMode) ctx.out.line(ctx.out.color.dim(`\n${new Date().toISOString().slice(11, 19)}  changed: ${ids.join(', ')}`));
      await listIncidents(ctx, listed);
    } catch (e) {
      error ??= e;
      stop.abort();
    } finally {
      printing = undefined;
      if (changed.size) schedule();
    }
  };
  await store.watchList(
    (id) => {
      changed.add(id);
      schedule();
    },
    stop.signal,
    // listed once watching has begun: a change from then on prints the list again, none falls in between
    async () => {
      await listIncidents(ctx, listed);
      ctx.out.info('watching for changes; Ctrl-C to stop');
    },
    // a database store's connection lost: it says so, connects again and lists what changed meanwhile
    { lost: (m) => ctx.out.warn(m), back: (m) => ctx.out.info(m) },
  );
  clearTimeout(timer);
  await printing;
  if (error) throw error;
  ctx.out.info('stopped watching');
}

/**
 * The incident `incident resume` without an id continues: the only one waiting
 * for a resume. None, or several, is exit 2 listing them with their commands.
 */
export async function onlyWaitingIncident(ctx: Context): Promise<string> {
  const waiting = (await incidentSummaries(ctx)).flatMap(({ id, state, live }) => {
    const w = state && waitingForResume(state, live);
    return w ? [{ id, state: state!, wait: w }] : [];
  });
  if (waiting.length === 1) {
    ctx.out.info(`resuming the only interrupted incident, ${waiting[0]!.id} (${waiting[0]!.state.title})`);
    return waiting[0]!.id;
  }
  if (waiting.length === 0)
    throw new InvalidInputError(
      'no incident is waiting for a resume (none was stopped or interrupted)',
      'payctl incident list shows every incident and how its run ended',
    );
  const lines = waiting
    .reverse()
    .map((w) => `  ${w.wait.command}   ${w.state.title}; ${w.wait.why}`)
    .join('\n');
  throw new InvalidInputError(`${waiting.length} incidents are waiting for a resume; say which:\n${lines}`);
}

/** The resume one incident waits for, if any (see waitingForResume). */
export async function resumeWaitOf(ctx: Context, id: string): Promise<ResumeWait | undefined> {
  const store = await ctx.store();
  const { state } = await store.replay(id);
  return waitingForResume(state, state.run === 'running' && (await store.locks.runsHeld([id])).has(id));
}

/**
 * payctl incident list, and the incidents waiting for a resume (`incident
 * resume` without an id). Each incident's run is judged by its timeline and
 * its run lock: running now, interrupted (killed), stopped, finished.
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { redactDeep } from '../secrets.js';
import { keeps } from '../store/listed.js';
import type { IncidentSummary, ListFilter, ListQuery, Store } from '../store/store.js';
import { readWithLiveness, runCondition, waitingForResume, type ResumeWait, type RunCondition } from '../timeline/run-state.js';

/** One incident as listed: its listed state (or why it cannot be read) and whether a live process runs it. */
export interface LiveSummary extends IncidentSummary {
  live: boolean;
}

/**
 * Whether a live process holds the run lock of each whose listed run has no
 * end. Those whose lock is free are read again before their run is called
 * interrupted: it may have ended between the listing and the look.
 */
async function withLiveness(store: Store, summaries: IncidentSummary[]): Promise<LiveSummary[]> {
  const unended = summaries.filter((s) => s.state?.run === 'running').map((s) => s.id);
  const live = await store.locks.runsHeld(unended);
  const free = unended.filter((id) => !live.has(id));
  const again = free.length ? new Map((await store.list(free)).map((s) => [s.id, s])) : undefined;
  return summaries.map((s) => ({ ...(again?.get(s.id) ?? s), live: live.has(s.id) }));
}

/**
 * A page of the listing with each incident's liveness: the newest `limit` the
 * filter keeps, their count, and the unended and broken ones outside them.
 */
async function livePage(ctx: Context, query: ListQuery): Promise<{ newest: LiveSummary[]; total: number; pending: LiveSummary[] }> {
  const store = await ctx.store();
  const { newest, total, pending } = await store.listPage(query);
  const both = await withLiveness(store, [...newest, ...pending]);
  return { newest: both.slice(0, newest.length), total, pending: both.slice(newest.length) };
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

function listedIncident({ id, state: st, problem, live }: LiveSummary): ListedIncident {
  if (!st)
    return {
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
    };
  return {
    id,
    title: st.title,
    severity: st.severity,
    status: st.status,
    playbook: st.playbook ?? null,
    opened_at: st.opened_at,
    updated_at: st.updated_at,
    run: runCondition(st, live),
    waiting: waitingForResume(st, live) ?? null,
    dry_run: st.dry_run,
    ...(st.cancelled ? { cancelled: st.cancelled } : {}),
  };
}

export async function listIncidents(ctx: Context, opts: ListOptions): Promise<void> {
  if (opts.status !== undefined && !['open', 'resolved', 'cancelled', 'waiting'].includes(opts.status)) {
    throw new InvalidInputError(`--status "${opts.status}" is not open, waiting, resolved or cancelled`);
  }
  const limit = parseLimit(opts.limit);
  const status = opts.status as ListFilter | 'waiting' | undefined;
  // every incident waiting for a resume is unended: --status waiting lists those that wait, then cuts
  const page = await livePage(ctx, status === 'waiting' ? { status: 'unended', limit: 0 } : { status, limit });
  // a broken incident (half-created: killed or out of disk while opening; or not a payctl timeline) is warned about wherever it is
  for (const s of [...page.newest, ...page.pending]) if (!s.state) ctx.out.warn(`incident ${s.id}: ${s.problem}`);
  let rows = page.newest.map(listedIncident);
  let all = page.total;
  if (status === 'waiting') {
    rows = rows.filter((r) => r.waiting);
    all = rows.length;
    if (limit) rows = rows.slice(0, limit);
  }
  // every incident waiting for a resume (that the filter keeps) is named below the table, however old
  const older = page.pending.filter((s) => keeps(status === 'waiting' ? 'unended' : status, s.state));
  const waiting = [...rows, ...older.map(listedIncident)].filter((r) => r.waiting);
  if (limit && all > rows.length)
    ctx.out.info(`the newest ${rows.length} of ${all} incidents${opts.status ? ` (${opts.status})` : ''}; --limit 0 lists every one`);
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
  const { newest } = await livePage(ctx, { status: 'unended', limit: 0 });
  const waiting = newest.flatMap(({ id, state, live }) => {
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
  const { state, live } = await readWithLiveness(store.locks, id, async () => (await store.replay(id)).state);
  return waitingForResume(state, live);
}

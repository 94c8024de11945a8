/**
 * payctl check: each provider's status page and the success rate against the
 * thresholds, checked concurrently, as a table (or --json). Exit 4 when
 * anything is unhealthy. --watch re-checks every --interval until Ctrl-C (or
 * SIGTERM; exit 0) and prints changes only; --start-incident opens an incident with the first
 * playbook whose triggers match.
 */
import type { Context } from '../context.js';
import type { ListedState } from '../store/store.js';
import { InvalidInputError, UnhealthyError } from '../errors.js';
import { DURATION_HINT, parseDuration } from '../duration.js';
import { redactDeep } from '../secrets.js';
import { formatTable } from '../ui/table.js';
import { httpClientFor } from '../providers/http.js';
import { checkHealth, onlyUnreachable, pct, type HealthSnapshot } from '../providers/health.js';

export interface CheckOptions {
  provider?: string;
  json?: boolean;
  watch?: boolean;
  interval?: string;
  startIncident?: boolean;
  yes?: boolean;
}

async function snapshot(ctx: Context, opts: CheckOptions, signal?: AbortSignal): Promise<HealthSnapshot> {
  const loaded = ctx.config();
  if (Object.keys(loaded.config.providers).length === 0) {
    throw new InvalidInputError(
      'no providers are configured',
      'add providers: to payctl.config.yaml (payctl init writes an example, payctl sandbox a working one)',
    );
  }
  return checkHealth(
    {
      config: loaded.config,
      configDir: loaded.dir,
      http: httpClientFor(ctx, { dryRun: false }),
      env: ctx.env,
      now: () => ctx.clock.now(),
      signal,
    },
    opts.provider,
  );
}

export async function printTable(ctx: Context, snap: HealthSnapshot): Promise<void> {
  const c = ctx.out.color;
  const rows = snap.providers.map((p) => {
    const comps = p.components.filter((x) => x.status !== 'operational').map((x) => `${componentLabel(x)}: ${x.status}`);
    const detail =
      p.error ??
      (p.unconfigured
        ? 'no status page configured'
        : comps.length
          ? comps.join(', ')
          : p.components.length
            ? 'all watched components operational'
            : '');
    const incidents = p.incidents.length
      ? ` · ${p.incidents.length} open incident(s): ${p.incidents.map((i) => `${i.name} (${i.status})`).join('; ')}`
      : '';
    return [p.provider, p.enabled ? p.role : `${p.role} (disabled)`, p.status, p.healthy ? 'ok' : 'UNHEALTHY', detail + incidents];
  });
  const [head, ...lines] = await formatTable([['PROVIDER', 'ROLE', 'STATUS', 'HEALTH', 'DETAILS'], ...rows]);
  ctx.out.line(c.bold(head!));
  // an outage in red; a page that did not answer in yellow (more likely our network than the provider)
  lines.forEach((line, i) => {
    const p = snap.providers[i]!;
    ctx.out.line(p.healthy ? line : p.status === 'unreachable' ? c.yellow(line) : c.red(line));
  });
  const sr = snap.success_rate;
  if (sr) {
    const text = sr.error
      ? `success rate: unavailable (${sr.error})`
      : `success rate: ${pct(sr.value)} (threshold ${pct(sr.threshold)})${sr.healthy ? '' : '  UNHEALTHY'}`;
    ctx.out.line('');
    ctx.out.line(sr.healthy ? text : c.red(text));
  }
  const declines = declinesLine(snap);
  if (declines) ctx.out.line(sr ? declines : `\n${declines}`);
  ctx.out.line('');
  ctx.out.line(snap.healthy ? c.green('all healthy') : c.red(`unhealthy: ${snap.problems.join('; ')}`));
  for (const p of snap.providers) for (const w of p.warnings ?? []) ctx.out.warn(w);
}

/** The top decline codes as shares of attempts: "declines: 18.0% of attempts (do_not_honor 16.5%, insufficient_funds 0.6%, …)". */
export function declinesLine(snap: HealthSnapshot, top = 3): string | undefined {
  const d = snap.declines;
  if (!d) return undefined;
  if (d.error) return `declines: unavailable (${d.error})`;
  if (d.rate === null) return undefined;
  const codes = d.top.slice(0, top).map((x) => `${x.code} ${pct(x.share)}`);
  const more = d.top.length > top ? ', …' : '';
  return `declines: ${pct(d.rate)} of attempts${codes.length ? ` (${codes.join(', ')}${more})` : ''}`;
}

/** "Group/Name" for a component in a group (pages repeat names across groups), else its name. */
export function componentLabel(c: { name: string; group?: string }): string {
  return c.group ? `${c.group}/${c.name}` : c.name;
}

/** What changed between two snapshots, one line each. */
export function changesBetween(prev: HealthSnapshot, next: HealthSnapshot): string[] {
  const out: string[] = [];
  for (const p of next.providers) {
    const before = prev.providers.find((x) => x.provider === p.provider);
    if (!before) continue;
    if (before.status !== p.status || Boolean(before.error) !== Boolean(p.error)) {
      const was = (h: typeof p) => (h.status === 'unreachable' ? 'unreachable' : 'unreadable');
      out.push(`${p.provider}: ${before.error ? was(before) : before.status} → ${p.error ? `${was(p)} (${p.error})` : p.status}`);
    }
  }
  const a = prev.success_rate;
  const b = next.success_rate;
  if (a && b && (a.healthy !== b.healthy || Math.abs((a.value ?? 0) - (b.value ?? 0)) >= 0.01)) {
    out.push(`success rate: ${pct(a.value)} → ${pct(b.value)}${b.healthy ? '' : ' (below threshold)'}`);
  }
  if (prev.healthy !== next.healthy) out.push(next.healthy ? 'all healthy again' : `unhealthy: ${next.problems.join('; ')}`);
  return out;
}

export async function check(ctx: Context, opts: CheckOptions): Promise<void> {
  if (opts.watch) return watch(ctx, opts);
  const snap = await snapshot(ctx, opts);
  const starting = opts.startIncident && !snap.healthy;
  if (!ctx.out.jsonMode) await printTable(ctx, snap);
  else if (!starting) ctx.out.json(snap);
  if (snap.healthy) return;
  if (opts.startIncident) {
    await startFromCheck(ctx, snap, opts);
    return;
  }
  throw new UnhealthyError(unhealthy(ctx, snap), unhealthyHint(snap));
}

/** What to do next: open an incident, unless every problem is a source that did not answer (our network, first). */
function unhealthyHint(snap: HealthSnapshot): string {
  const silent = onlyUnreachable(snap);
  if (silent) {
    const what = silent.statusPages
      ? silent.metrics
        ? 'neither the status pages nor the metrics source answered'
        : 'the status pages did not answer'
      : 'the metrics source did not answer';
    return `${what}, which says more about this machine's network than about the providers: check DNS, the proxy (HTTPS_PROXY), a VPN or firewall, then run payctl check again before opening an incident`;
  }
  return 'payctl check --start-incident opens an incident with the matching playbook';
}

/**
 * The error's first words. The human table already ends with "unhealthy: <problems>"
 * on stdout, so the error on stderr only names the outcome; with --json nothing
 * human was printed, so it names the problems.
 */
function unhealthy(ctx: Context, snap: HealthSnapshot): string {
  return ctx.out.jsonMode ? `unhealthy: ${snap.problems.join('; ')}` : 'unhealthy (exit 4)';
}

async function watch(ctx: Context, opts: CheckOptions): Promise<void> {
  const interval = parseDuration(opts.interval ?? '30s');
  if (!interval || interval < 1000) throw new InvalidInputError(`--interval ${opts.interval}: ${interval ? 'at least 1s' : DURATION_HINT}`);
  const stop = new AbortController();
  // Ctrl-C (or SIGTERM) is the normal end of a watch: exit 0. The listener stays
  // while the process exits, because a second signal must not kill it with 130:
  // npx forwards the terminal's Ctrl-C, so the CLI gets SIGINT twice.
  const onSignal = () => stop.abort(new Error('interrupted'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let prev: HealthSnapshot | undefined;
  let started = false;
  try {
    while (!stop.signal.aborted) {
      let snap: HealthSnapshot;
      try {
        snap = await snapshot(ctx, opts, stop.signal);
      } catch (e) {
        if (stop.signal.aborted) break;
        throw e;
      }
      if (stop.signal.aborted) break;
      if (ctx.out.jsonMode) {
        // one JSON document per line per check
        ctx.streams.stdout.write(JSON.stringify(redactDeep({ ...snap, changes: prev ? changesBetween(prev, snap) : [] })) + '\n');
      } else if (!prev) {
        await printTable(ctx, snap);
        ctx.out.info(`watching every ${opts.interval ?? '30s'}; Ctrl-C to stop`);
      } else {
        const t = snap.checked_at.slice(11, 19);
        for (const line of changesBetween(prev, snap)) ctx.out.line(`${t}  ${line}`);
      }
      if (!snap.healthy && opts.startIncident && !started) {
        started = true;
        await startFromCheck(ctx, snap, opts);
      }
      prev = snap;
      try {
        await ctx.clock.sleep(interval, stop.signal);
      } catch {
        break;
      }
    }
  } finally {
    if (!stop.signal.aborted) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  ctx.out.info('stopped watching');
}

/** The newest open, real incident running this playbook, if any (a dry run, drill or demo does not count). */
async function openIncidentFor(ctx: Context, playbook: string): Promise<string | undefined> {
  const { rehearsalKind } = await import('../timeline/rehearsal.js');
  const { isOpen } = await import('../timeline/replay.js');
  // the listed state says all of it: nothing is replayed but the one found
  const wanted = (s: ListedState) => s.playbook === playbook && isOpen(s) && rehearsalKind(s) === undefined;
  return (await ctx.store()).latest(wanted, wanted);
}

async function startFromCheck(ctx: Context, snap: HealthSnapshot, opts: CheckOptions): Promise<void> {
  const loaded = ctx.config();
  const { listPlaybookFiles, loadPlaybookFile } = await import('../playbook/load.js');
  const found = listPlaybookFiles(loaded.playbooksDir)
    .map((file) => ({ file, playbook: loadPlaybookFile(file).playbook }))
    .filter((x): x is { file: string; playbook: NonNullable<typeof x.playbook> } => Boolean(x.playbook));
  const { rankPlaybooks, bestMatches } = await import('./playbook-ranking.js');
  const ranked = rankPlaybooks(loaded.config, snap, found, ctx.clock.now());
  const matched = ranked.filter((r) => r.match);
  if (!matched.length) {
    if (ctx.out.jsonMode && !opts.watch) ctx.out.json(snap);
    throw new UnhealthyError(
      `${unhealthy(ctx, snap)}; no playbook's triggers match, so no incident was started`,
      `start one by hand: payctl incident start --playbook <id> (playbooks in ${loaded.playbooksDir})`,
    );
  }
  let chosen = matched[0]!;
  if (ctx.canPrompt) {
    // a person decides: the best match first, with why, and the choice not to open one
    const { createInquirerPrompter } = await import('../ui/inquirer.js');
    const prompter = createInquirerPrompter({ out: ctx.out, input: ctx.stdin, output: ctx.streams.stdout });
    const picked = await prompter.select(
      'Open an incident?',
      [
        ...matched.map((r) => ({
          value: r.entry.playbook.id,
          name: `${r.entry.playbook.id}: ${r.why}`,
          description: r.entry.playbook.title,
        })),
        { value: '', name: 'no, do not open an incident' },
      ],
      matched[0]!.entry.playbook.id,
    );
    if (!picked) throw new UnhealthyError(`${unhealthy(ctx, snap)}; no incident was started (you said no)`);
    chosen = matched.find((r) => r.entry.playbook.id === picked)!;
  } else {
    const best = bestMatches(ranked);
    if (best.length > 1) {
      if (ctx.out.jsonMode && !opts.watch) ctx.out.json(snap);
      throw new UnhealthyError(
        `${unhealthy(ctx, snap)}; ${best.length} playbooks match equally well (${best.map((r) => `${r.entry.playbook.id}: ${r.why}`).join('; ')}), so none was started`,
        `start the right one: payctl incident start --playbook <${best.map((r) => r.entry.playbook.id).join('|')}>`,
      );
    }
  }
  const pb = chosen.entry.playbook;
  const match = chosen.match!;
  const already = await openIncidentFor(ctx, pb.id);
  if (already) {
    // a second responder (or a second --watch tick) must not open the same incident twice
    // stopped or interrupted, it waits for someone to resume it; running, it can be followed
    const waiting = await (await import('./incident-list.js')).resumeWaitOf(ctx, already);
    if (ctx.out.jsonMode && !opts.watch)
      ctx.out.json({
        ...snap,
        incident: { id: already, playbook: pb.id, already_open: true, ...(waiting ? { resume: waiting.command } : {}) },
      });
    throw new UnhealthyError(
      `${unhealthy(ctx, snap)}; incident ${already} (${pb.id}) is already open${waiting ? ` (${waiting.why})` : ''}, so no new one was started`,
      waiting ? `resume it with: ${waiting.command}` : `follow it with: payctl incident show ${already}`,
    );
  }
  if (ctx.unattendedReason) {
    const { unattendedNotice } = await import('../ui/unattended.js');
    ctx.out.info(unattendedNotice(ctx.unattendedReason, ctx.yes));
  }
  ctx.out.info(`starting playbook ${pb.id}: ${chosen.why}`);
  const { startIncident } = await import('../engine/run.js');
  const { emptyAnswers } = await import('../ui/answers.js');
  const { inferInputs } = await import('../engine/inferred-inputs.js');
  const suggested = inferInputs(loaded.config, snap, pb, match.provider);
  const answers = emptyAnswers();
  if (!ctx.canPrompt) {
    // unattended: what payctl inferred answers the inputs (the failing provider from the trigger, the backup from routing and health)
    for (const [name, s] of Object.entries(suggested)) {
      answers.values[name] = s.value;
      answers.from[name] = 'trigger';
    }
  }
  const { withInterrupt } = await import('../interrupt.js');
  // Ctrl-C during the run stops the run (saved, resumable, exit 3), not just the watch
  const report = await withInterrupt((signal) =>
    startIncident({
      ctx,
      signal,
      playbook: pb,
      playbookFile: chosen.entry.file,
      answers,
      suggested,
      title: `${pb.title}: ${match.description}`,
      source: 'check --start-incident',
    }),
  );
  if (ctx.out.jsonMode && !opts.watch)
    ctx.out.json({ ...snap, incident: { id: report.incident, playbook: pb.id, outcome: report.outcome } });
  if (report.error) throw report.error;
  // as for incident start: a run that went on past failed steps ends with exit 1
  if (report.exitCode) process.exitCode = report.exitCode;
  else if (report.outcome === 'failed') process.exitCode = 1;
}

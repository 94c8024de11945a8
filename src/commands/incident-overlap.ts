/**
 * A second incident for the same trouble: starting one for a playbook or a
 * provider that an open incident already handles, or a failover while another
 * open incident has moved traffic, warns and asks before anything is opened
 * (failover and failback too, for the providers they move traffic between).
 * Unattended there is nobody to ask: it goes ahead and says so on stderr.
 * Only real incidents count (not dry runs, drills or demos), and only those
 * opened in the last week (ids begin with their UTC date): an incident left
 * open for longer is not the one being handled now.
 */
import type { Context } from '../context.js';
import { AbortedError } from '../errors.js';
import { rehearsalKind } from '../timeline/rehearsal.js';
import { isOpen, type IncidentState } from '../timeline/replay.js';
import type { Prompter } from '../ui/prompter.js';

const RECENT_MS = 7 * 86_400_000;

export interface OtherIncident {
  id: string;
  /** Why it overlaps, e.g. "processor-outage, provider stripe". */
  why: string;
}

/**
 * Open, real, recent incidents, newest first: the store read in one place.
 * The listed states pick them (no timeline replayed); only those are replayed,
 * for their answers and steps.
 */
async function recentOpenIncidents(ctx: Context): Promise<IncidentState[]> {
  const store = await ctx.store();
  const since = ctx.clock.now().getTime() - RECENT_MS;
  const out: IncidentState[] = [];
  for (const { id, state } of (await store.listPage({ status: 'open', limit: 0 })).newest) {
    const day = /^(\d{4})(\d\d)(\d\d)-/.exec(id);
    if (day && Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + 1) < since) break;
    if (!state || rehearsalKind(state) !== undefined) continue;
    try {
      const st = (await store.replay(id)).state;
      if (isOpen(st)) out.push(st);
    } catch {
      // gone broken since it was listed: it handles nothing either
    }
  }
  return out;
}

/** Open incidents running this playbook or about this provider (the input named provider). */
export async function incidentsAlike(ctx: Context, about: { playbook?: string; provider?: unknown }): Promise<OtherIncident[]> {
  const providers = typeof about.provider === 'string' ? [about.provider] : [];
  return alike(await recentOpenIncidents(ctx), { playbook: about.playbook, providers });
}

function alike(open: IncidentState[], about: { playbook?: string; providers: string[] }): OtherIncident[] {
  return open.flatMap((st) => {
    const samePlaybook = about.playbook !== undefined && st.playbook === about.playbook;
    const provider = about.providers.find((p) => st.answers.provider === p);
    if (!samePlaybook && provider === undefined) return [];
    const why = [samePlaybook ? `playbook ${st.playbook}` : '', provider !== undefined ? `provider ${provider}` : '']
      .filter(Boolean)
      .join(', ');
    return [{ id: st.id, why: `${st.title} (${why}, ${st.status})` }];
  });
}

/** Open incidents whose last switch left traffic away from the primary. */
export async function incidentsWithTrafficMoved(ctx: Context): Promise<OtherIncident[]> {
  return movedAway(ctx, await recentOpenIncidents(ctx));
}

async function movedAway(ctx: Context, open: IncidentState[]): Promise<OtherIncident[]> {
  const { trafficLeftAway } = await import('./incident.js');
  const primary = ctx.config().config.routing?.primary;
  return open.flatMap((st) => {
    const left = trafficLeftAway(st, primary);
    return left ? [{ id: st.id, why: `${st.title} (moved traffic to ${left.on} at step ${left.step}, ${st.status})` }] : [];
  });
}

/**
 * Before failover or failback opens an incident of its own: another open
 * incident about a provider it moves traffic between (the one it moves from,
 * --from or else routing.primary, and its target), or, for a failover, one
 * that has traffic moved, warns and asks (unattended: goes ahead and says so).
 */
export async function moveOverlapCheck(ctx: Context, kind: 'failover' | 'failback', to: string, from?: string): Promise<void> {
  const open = await recentOpenIncidents(ctx);
  const providers = [...new Set([from ?? ctx.config().config.routing?.primary, to])].filter((p): p is string => p !== undefined);
  const moved = kind === 'failover' ? await movedAway(ctx, open) : [];
  const about = alike(open, { providers }).filter((o) => !moved.some((m) => m.id === o.id));
  const verb = kind === 'failover' ? 'Fail over' : 'Fail back';
  await confirmDespite(ctx, [...moved, ...about], {
    what: moved.length ? `failing over to ${to} while another incident has traffic moved` : `opening another incident (${kind} to ${to})`,
    question: `${verb} to ${to} anyway?`,
  });
}

/**
 * Say which open incidents overlap, then ask whether to go on (No by
 * default); unattended, go on and say so. A person's no is exit 3, nothing opened.
 */
export async function confirmDespite(
  ctx: Context,
  others: OtherIncident[],
  o: { what: string; question: string; prompter?: Prompter },
): Promise<void> {
  if (!others.length) return;
  for (const other of others) ctx.out.warn(`incident ${other.id} is open: ${other.why}`);
  const prompter =
    o.prompter ??
    (ctx.canPrompt
      ? (await import('../ui/inquirer.js')).createInquirerPrompter({ out: ctx.out, input: ctx.stdin, output: ctx.streams.stdout })
      : undefined);
  if (!prompter?.canPrompt) {
    ctx.out.warn(`${o.what} anyway: this run is unattended, so nobody was asked`);
    return;
  }
  if (await prompter.confirm(o.question, false)) return;
  const first = others[0]!.id;
  throw new AbortedError(`${o.what}: not done (incident ${first} is open)`, `carry on in it: payctl incident show ${first}`);
}

/** startIncident's beforeOpen for a playbook (not for a dry run): another open incident for it, or for the provider it was given, warns and asks. */
export function overlapCheck(ctx: Context, playbook: string): (known: Record<string, unknown>, prompter: Prompter) => Promise<void> {
  return async (known, prompter) => {
    if (ctx.dryRun) return; // a rehearsal opens nothing that competes with a real incident
    await confirmDespite(ctx, await incidentsAlike(ctx, { playbook, provider: known.provider }), {
      what: `opening another incident (${playbook}${typeof known.provider === 'string' ? `, provider ${known.provider}` : ''})`,
      question: 'Open another incident anyway?',
      prompter,
    });
  };
}

/**
 * payctl incident follow <id>: the incident's timeline so far, then each new
 * event as it is appended by any process or machine (the store's watch: file
 * watching on a directory, LISTEN/NOTIFY on PostgreSQL), until Ctrl-C or the
 * incident is resolved or cancelled (exit 0 either way; the resolving
 * command's last events, END_SETTLE_MS after, are shown too). One line per event
 * as in `incident show`'s timeline; --json: one JSON object per line (NDJSON).
 */
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { redact } from '../secrets.js';
import type { TimelineEvent } from '../timeline/events.js';
import { resolveIncidentId } from './incident-id.js';
import { timelineLine } from './incident-show.js';

/** After the event that resolves or cancels the incident, how long the follow goes on for the rest of that command's events. */
const END_SETTLE_MS = 2000;

/** How the incident ended, when an event ends it. */
function endOf(e: TimelineEvent): string | undefined {
  if (e.type === 'incident_cancelled') return `cancelled at ${e.time}`;
  if (e.type === 'status_changed' && e.data.to === 'resolved') return `resolved at ${e.time}`;
  return undefined;
}

export async function followIncident(ctx: Context, idArg: string): Promise<void> {
  const id = await resolveIncidentId(ctx, idArg);
  const store = await ctx.store();
  let opened: number | undefined;
  let last = 0;
  let ended: string | undefined;
  const print = (e: TimelineEvent) => {
    if (e.type === 'incident_opened' && opened === undefined) opened = Date.parse(e.time);
    last = e.seq;
    ended = endOf(e) ?? ended;
    if (ctx.out.jsonMode) ctx.streams.stdout.write(redact(JSON.stringify(e)) + '\n');
    else ctx.out.line(timelineLine(e, opened ?? Date.parse(e.time)));
  };
  await store.scan(id, {
    event: print,
    problem(p) {
      ctx.out.warn(`${store.where(id, p.line)}: ${p.message}`);
    },
  });
  if (opened === undefined)
    throw new InvalidInputError(`${store.where(id, 1)}: the timeline does not begin with incident_opened; it is not a payctl timeline`);
  if (ended) return ctx.out.info(`incident ${id} was ${ended}; nothing more to follow`);

  const stop = new AbortController();
  // Ctrl-C (or SIGTERM) is the normal end of a follow: exit 0. The listener stays while the
  // process exits, so a second SIGINT (npx forwards the terminal's) does not kill it with 130.
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  ctx.out.info(`following ${id}; Ctrl-C to stop`);
  try {
    await store.watch(
      id,
      last,
      (events) => {
        const wasEnded = ended;
        for (const e of events) print(e);
        // the resolving command appends a little more (the resolved milestone, closed status pages): shown too
        if (ended && !wasEnded) setTimeout(() => stop.abort(), END_SETTLE_MS);
      },
      stop.signal,
      // a database store's connection lost: it says so, connects again and shows what was missed
      { lost: (m) => ctx.out.warn(m), back: (m) => ctx.out.info(m) },
    );
  } finally {
    if (ended) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  ctx.out.info(ended ? `incident ${id} was ${ended}; stopped following` : 'stopped following');
}

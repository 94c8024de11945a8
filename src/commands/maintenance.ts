/**
 * payctl maintenance: upcoming and active maintenance windows of every
 * provider with a status page, read concurrently, sorted by start, within
 * --days, as a table; windows of two providers that overlap (a backup in
 * maintenance during the primary's window is no backup); then the command that
 * prepares for each provider's current window, with the window filled in.
 */
import type { Context } from '../context.js';
import { InvalidInputError, messageOf } from '../errors.js';
import { httpClientFor } from '../providers/http.js';
import { readMaintenanceWindows, type MaintenanceWindow } from '../providers/statuspage.js';
import { overlapping, windowInWords } from '../providers/maintenance-windows.js';
import { formatTable } from '../ui/table.js';

export interface MaintenanceOptions {
  days: string;
  json?: boolean;
}

export interface ProviderWindow extends MaintenanceWindow {
  provider: string;
  active: boolean;
  /** The window in words, as the scheduled-maintenance playbook's `window` input takes it. */
  window: string;
  hint: string;
  /** Other providers' windows that share time with this one ("adyen Wed 9 Dec 01:00–03:00 UTC"). */
  overlaps: string[];
}

export async function maintenance(ctx: Context, opts: MaintenanceOptions): Promise<void> {
  const days = Number(opts.days ?? '14');
  if (!Number.isFinite(days) || days <= 0) throw new InvalidInputError(`--days ${opts.days}: give a positive number of days`);
  const { config } = ctx.config();
  const providers = Object.entries(config.providers).filter(([, p]) => p.statuspage);
  if (providers.length === 0) throw new InvalidInputError('no provider has a status page configured (providers.<name>.statuspage)');
  const http = httpClientFor(ctx, { dryRun: false });
  const now = ctx.clock.now().getTime();
  const horizon = now + days * 86_400_000;

  const errors: { provider: string; error: string }[] = [];
  const lists = await Promise.all(
    providers.map(async ([name, p]) => {
      try {
        const ws = await readMaintenanceWindows(http, { provider: name, baseUrl: p.statuspage!, components: p.components });
        return ws.map((w): ProviderWindow => {
          const active = w.status === 'in_progress' || w.status === 'verifying';
          const window = windowInWords(w);
          const hint = `payctl incident start --playbook scheduled-maintenance --var provider=${name} --var "window=${window}"`;
          return { ...w, provider: name, active, window, hint, overlaps: [] };
        });
      } catch (e) {
        errors.push({ provider: name, error: messageOf(e) });
        return [];
      }
    }),
  );
  const windows = lists
    .flat()
    .filter((w) => w.status !== 'completed')
    .filter((w) => w.active || !w.scheduled_for || Date.parse(w.scheduled_for) <= horizon)
    .sort(
      (a, b) => Number(b.active) - Number(a.active) || (Date.parse(a.scheduled_for ?? '') || 0) - (Date.parse(b.scheduled_for ?? '') || 0),
    );

  for (const w of windows) {
    const others = windows.filter((o) => o.provider !== w.provider);
    w.overlaps = others.filter((o) => overlapping([o], w).length > 0).map((o) => `${o.provider} ${o.window}`);
  }

  for (const e of errors) ctx.out.warn(e.error);
  if (ctx.out.jsonMode) {
    ctx.out.json({ days, windows, errors });
    return;
  }
  if (windows.length === 0) {
    ctx.out.line(`no maintenance scheduled in the next ${days} day(s)${errors.length ? ' (some status pages could not be read)' : ''}`);
    return;
  }
  const c = ctx.out.color;
  // the hints follow the table, one per provider
  const rows = windows.map((w) => [
    w.active ? c.yellow('ACTIVE') : 'upcoming',
    w.provider,
    `${fmt(w.scheduled_for)} – ${fmt(w.scheduled_until)}`,
    `${w.name}${w.components.length ? ` [${w.components.join(', ')}]` : ''}`,
  ]);
  (await formatTable([['STATE', 'PROVIDER', 'WINDOW', 'TITLE'].map((h) => c.bold(h)), ...rows])).forEach((line) => ctx.out.line(line));
  const clashes = windows.filter((w, i) => w.overlaps.some((o) => !windows.slice(0, i).some((e) => `${e.provider} ${e.window}` === o)));
  if (clashes.length) {
    ctx.out.line('');
    for (const w of clashes)
      ctx.out.line(
        `${c.yellow('⚠')} ${w.provider} ${w.window} overlaps ${w.overlaps.join(' and ')}: neither can be the other's backup then`,
      );
  }
  ctx.out.line('');
  ctx.out.line('prepare with:');
  // one per provider: its window in progress, else its next
  const first = new Map<string, string>();
  for (const w of windows) if (!first.has(w.provider)) first.set(w.provider, w.hint);
  for (const hint of first.values()) ctx.out.line(`  → ${hint}`);
}

function fmt(iso: string | null): string {
  if (!iso) return '?';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

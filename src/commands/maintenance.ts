/**
 * payctl maintenance: upcoming and active maintenance windows of every
 * provider with a status page, read concurrently, sorted by start, within
 * --days, as a table; then the command that prepares for each provider's.
 */
import type { Context } from '../context.js';
import { InvalidInputError, messageOf } from '../errors.js';
import { httpClientFor } from '../providers/http.js';
import { readMaintenanceWindows, type MaintenanceWindow } from '../providers/statuspage.js';
import { formatTable } from '../ui/table.js';

export interface MaintenanceOptions {
  days: string;
  json?: boolean;
}

export interface ProviderWindow extends MaintenanceWindow {
  provider: string;
  active: boolean;
  hint: string;
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
          return { ...w, provider: name, active, hint: `payctl incident start --playbook scheduled-maintenance --var provider=${name}` };
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
  formatTable([['STATE', 'PROVIDER', 'WINDOW', 'TITLE'].map((h) => c.bold(h)), ...rows]).forEach((line) => ctx.out.line(line));
  ctx.out.line('');
  ctx.out.line('prepare with:');
  for (const hint of new Set(windows.map((w) => w.hint))) ctx.out.line(`  → ${hint}`);
}

function fmt(iso: string | null): string {
  if (!iso) return '?';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

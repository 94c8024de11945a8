/**
 * Maintenance windows as the scheduled-maintenance playbook and `payctl
 * maintenance` use them: the window an incident is about (the one in progress,
 * else the next), in words ("Tue 8 Dec 00:00–02:00 UTC"), and the windows of
 * one provider that overlap another's (a backup in maintenance during the
 * primary's window is no backup).
 */
import type { MaintenanceWindow } from './statuspage.js';

type Window = Pick<MaintenanceWindow, 'name' | 'status' | 'scheduled_for' | 'scheduled_until'>;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const isActive = (w: Window) => w.status === 'in_progress' || w.status === 'verifying';

/** Not completed, in progress first, then by start. */
export function openWindows<W extends Window>(windows: readonly W[]): W[] {
  return windows
    .filter((w) => w.status !== 'completed')
    .sort(
      (a, b) =>
        Number(isActive(b)) - Number(isActive(a)) || (Date.parse(a.scheduled_for ?? '') || 0) - (Date.parse(b.scheduled_for ?? '') || 0),
    );
}

/** The window an incident is about: the one in progress, else the next one. */
export function currentWindow<W extends Window>(windows: readonly W[]): W | undefined {
  return openWindows(windows)[0];
}

/** "Tue 8 Dec 00:00–02:00 UTC" (the end's date too when it falls on another day). */
export function windowInWords(w: Pick<Window, 'scheduled_for' | 'scheduled_until'>): string {
  const from = w.scheduled_for ? new Date(w.scheduled_for) : undefined;
  const until = w.scheduled_until ? new Date(w.scheduled_until) : undefined;
  const valid = (d?: Date): d is Date => d !== undefined && !Number.isNaN(d.getTime());
  const day = (d: Date) => `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  const time = (d: Date) => d.toISOString().slice(11, 16);
  if (!valid(from)) return valid(until) ? `until ${day(until)} ${time(until)} UTC` : 'at a time the status page does not give';
  if (!valid(until)) return `from ${day(from)} ${time(from)} UTC`;
  const end = day(until) === day(from) ? time(until) : `${day(until)} ${time(until)}`;
  return `${day(from)} ${time(from)}–${end} UTC`;
}

/** Windows in `ours` that share time with `theirs` (a window without an end lasts until further notice). */
export function overlapping<W extends Window>(ours: readonly W[], theirs: Window): W[] {
  const span = (w: Window): [number, number] => [
    Date.parse(w.scheduled_for ?? '') || Number.NEGATIVE_INFINITY,
    Date.parse(w.scheduled_until ?? '') || Number.POSITIVE_INFINITY,
  ];
  const [from, until] = span(theirs);
  return openWindows(ours).filter((w) => {
    const [a, b] = span(w);
    return a < until && from < b;
  });
}

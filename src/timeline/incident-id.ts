/**
 * What a person may type for an incident id: the whole id, `latest` (the
 * newest incident), or any unique prefix or suffix of one (`209b` for
 * 20261206-005835-209b, `20261206-0058` for the incidents opened that minute).
 * A prefix or suffix that fits several is exit 2 naming them. Pure: the
 * caller passes the store's ids (oldest first, as ids sort by time).
 *
 * Ids name their second, then a random suffix: two incidents opened in the
 * same second sort by the suffix, not by when they were opened. What must
 * pick the newest (latest) orders them with newestFirst: by the second, then
 * by opened_at, then by the id.
 */
import { InvalidInputError } from '../errors.js';

export const LATEST = 'latest';

const ID_TEXT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** 20261206-005835 of 20261206-005835-209b: the second an id names (the whole id when it names none). */
export function idSecond(id: string): string {
  return /^\d{8}-\d{6}(?=-)/.exec(id)?.[0] ?? id;
}

/**
 * Newest first: by the second each id names, then, within a second, by when
 * each was opened (`openedAt`, an ISO time; unknown sorts oldest), then by id.
 */
export function newestFirst<T>(items: readonly T[], idOf: (t: T) => string, openedAt: (t: T) => string | undefined): T[] {
  const at = (t: T) => {
    const ms = Date.parse(openedAt(t) ?? '');
    return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
  };
  const desc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
  return [...items].sort((a, b) => desc(idSecond(idOf(a)), idSecond(idOf(b))) || at(b) - at(a) || desc(idOf(a), idOf(b)));
}

/** The ids at the end of `ids` (oldest first) that name the same second as the last one. */
export function newestSecond(ids: readonly string[]): string[] {
  const last = ids.at(-1);
  if (last === undefined) return [];
  let i = ids.length - 1;
  while (i > 0 && idSecond(ids[i - 1]!) === idSecond(last)) i--;
  return ids.slice(i);
}

export function matchIncidentId(wanted: string, ids: readonly string[], where: string): string {
  const w = wanted.trim();
  if (w === LATEST) {
    const newest = ids.at(-1);
    if (!newest) throw new InvalidInputError(`there are no incidents in ${where} yet`, 'start one with: payctl incident start');
    return newest;
  }
  if (!ID_TEXT.test(w)) throw new InvalidInputError(`"${wanted}" is not an incident id`, 'list incidents with: payctl incident list');
  if (ids.includes(w)) return w;
  const matches = ids.filter((id) => id.startsWith(w) || id.endsWith(w));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const newestFirst = [...matches].reverse();
    const shown = newestFirst.slice(0, 10).join(', ') + (matches.length > 10 ? `, … (${matches.length - 10} more)` : '');
    throw new InvalidInputError(
      `"${w}" matches ${matches.length} incidents: ${shown}`,
      'give more of the id (its last characters are enough)',
    );
  }
  const recent = ids.slice(-5);
  throw new InvalidInputError(
    `no incident "${w}" in ${where}`,
    recent.length
      ? `recent incidents: ${recent.join(', ')} (payctl incident list; an id, its last characters, or latest)`
      : 'there are no incidents yet; start one with: payctl incident start',
  );
}

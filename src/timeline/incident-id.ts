/**
 * What a person may type for an incident id: the whole id, `latest` (the
 * newest incident), or any unique prefix or suffix of one (`209b` for
 * 20261206-005835-209b, `20261206-0058` for the incidents opened that minute).
 * A prefix or suffix that fits several is exit 2 naming them. Pure: the
 * caller passes the store's ids (oldest first, as ids sort by time).
 */
import { InvalidInputError } from '../errors.js';

export const LATEST = 'latest';

const ID_TEXT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

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

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadIncident } from '../../src/timeline/store.js';
import { buildPostmortemData, type PostmortemInput } from '../../src/postmortem/data.js';
import { digestEvents } from '../../src/postmortem/digest.js';
import type { TimelineEvent } from '../../src/timeline/events.js';

export const FIXTURE_STORE = fileURLToPath(new URL('../fixtures/timelines/', import.meta.url));
export const DEFAULT_TEMPLATE = fileURLToPath(new URL('../../templates/postmortem.md', import.meta.url));
export const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url));
import { BIN } from '../helpers/run-cli.js';

export { BIN };

export const IDS = {
  full: '20260314-020000-a001',
  neverMitigated: '20260320-140000-b002',
  reopened: '20260402-090000-c003',
  stillOpen: '20260410-230000-d004',
  openedOnly: '20260415-120000-e005',
  newerPayctl: '20260420-080000-f006',
  /** What a new-user trial found: polling, a backup that kept failing, follow-up escalations, a checklist, Ctrl-C + resume. */
  trial: '20260425-100000-g007',
  /** source: drill; its only switch found traffic already in place. */
  drill: '20260428-150000-h008',
  /** dry_run: true. */
  dryRun: '20260429-090000-i009',
} as const;

export const BUSINESS = { average_order_value: 42.5, orders_per_minute: 120, currency: 'EUR' };

/** The postmortem data of a fixture timeline (its events, or `events` in their place). */
export function dataFor(id: string, extra: Partial<Omit<PostmortemInput, 'digest'>> & { events?: TimelineEvent[] } = {}) {
  const inc = loadIncident(FIXTURE_STORE, id);
  const { events = inc.events, ...rest } = extra;
  return buildPostmortemData({
    digest: digestEvents(events, inc.problems),
    primary: 'stripe',
    generatedAt: '2026-05-01T00:00:00.000Z',
    ...rest,
  });
}

export function goldenPath(id: string): string {
  return join(GOLDEN_DIR, `${id}.md`);
}

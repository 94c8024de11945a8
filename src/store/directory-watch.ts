/**
 * Watching a directory store (incident follow, incident list --watch): file
 * watching on the timelines. Built with `incident follow` (issue 13, item 4);
 * until then a directory store says it cannot be watched.
 */
import type { TimelineEvent } from '../timeline/events.js';
import { OperationError } from '../errors.js';
import type { DirectoryStore } from './directory.js';

export async function watchDirectoryIncident(
  _store: DirectoryStore,
  _timelineFile: string,
  _after: number,
  _onEvents: (events: TimelineEvent[]) => void,
  _signal: AbortSignal,
): Promise<void> {
  throw new OperationError('watching an incident in a directory store is not available in this build');
}

export async function watchDirectoryList(_store: DirectoryStore, _onChange: (id: string) => void, _signal: AbortSignal): Promise<void> {
  throw new OperationError('watching a directory store is not available in this build');
}

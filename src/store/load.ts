/** One incident read whole from a store: its events, the problems reading them, and its replayed state. */
import { InvalidInputError } from '../errors.js';
import { replay } from '../timeline/replay.js';
import type { LoadedIncident } from '../timeline/store.js';
import type { Store } from './store.js';

/** Load and replay one incident; an unknown id is exit 2 with the ids that exist. */
export async function loadIncident(store: Store, id: string): Promise<LoadedIncident> {
  const t = await store.read(id);
  const state = replay(t.events, t.problems);
  if (!state)
    throw new InvalidInputError(`${store.where(id, 1)}: the timeline does not begin with incident_opened; it is not a payctl timeline`);
  return { id, file: store.where(id), events: t.events, problems: t.problems, state };
}

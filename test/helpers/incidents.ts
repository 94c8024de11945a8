/** Incidents written straight into a store, as another payctl process would have opened them. */
import type { Severity } from '../../src/playbook/schema.js';
import type { Store } from '../../src/store/store.js';
import type { NewEvent } from '../../src/timeline/events.js';

export interface Opened {
  /** The actor of its events: 'someone' unless given. */
  actor?: string;
  title?: string;
  severity?: Severity;
  playbook?: string;
  /** Events after incident_opened, in the same append. */
  more?: NewEvent[];
}

/** Incident `id` in `store`: incident_opened (from `incident start`; 'Card payments failing', sev2, unless given), then `more`. */
export async function openIncidentIn(store: Store, id: string, o: Opened = {}): Promise<void> {
  const w = await store.create(id, { actor: o.actor ?? 'someone' });
  const opened: NewEvent = {
    type: 'incident_opened',
    data: {
      id,
      title: o.title ?? 'Card payments failing',
      severity: o.severity ?? 'sev2',
      ...(o.playbook ? { playbook: o.playbook } : {}),
      dry_run: false,
      source: 'incident start',
    },
  };
  await w.appendAll([opened, ...(o.more ?? [])]);
  await w.close();
}

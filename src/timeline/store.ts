/**
 * The incident store: one directory per incident under the store directory
 * (default .payctl/incidents/<id>/timeline.jsonl).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { readTimelineFile, scanTimeline } from './read.js';
import { ReplayVisitor } from './replay-visitor.js';
import { replay, type IncidentState } from './replay.js';
import type { TimelineEvent } from './events.js';
import type { TimelineProblem } from './read.js';

export const TIMELINE_FILE = 'timeline.jsonl';

/** Unique and sortable: 20261126-142512-7f3a (UTC time, then random). */
export function newIncidentId(now: Date): string {
  const iso = now.toISOString();
  const stamp = iso.slice(0, 10).replaceAll('-', '') + '-' + iso.slice(11, 19).replaceAll(':', '');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export function incidentDir(storeDir: string, id: string): string {
  return join(storeDir, id);
}

export function timelinePath(storeDir: string, id: string): string {
  return join(storeDir, id, TIMELINE_FILE);
}

export function listIncidentIds(storeDir: string): string[] {
  if (!existsSync(storeDir)) return [];
  return readdirSync(storeDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(storeDir, d.name, TIMELINE_FILE)))
    .map((d) => d.name)
    .sort();
}

export interface LoadedIncident {
  id: string;
  file: string;
  events: TimelineEvent[];
  problems: TimelineProblem[];
  state: IncidentState;
}

/** The timeline file of an incident id (exit 2 for something that is not an id: a path), whether or not it exists. */
export function timelineOf(storeDir: string, id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id))
    throw new InvalidInputError(`"${id}" is not an incident id`, 'list incidents with: payctl incident list');
  return timelinePath(storeDir, id);
}

/** The timeline file of an existing incident; an unknown id is exit 2 with the ids that exist. */
export function existingTimeline(storeDir: string, id: string): string {
  const file = timelineOf(storeDir, id);
  if (!existsSync(file)) {
    const known = listIncidentIds(storeDir).slice(-5);
    throw new InvalidInputError(
      `no incident "${id}" in ${storeDir}`,
      known.length
        ? `recent incidents: ${known.join(', ')} (payctl incident list)`
        : 'there are no incidents yet; start one with: payctl incident start',
    );
  }
  return file;
}

/** Load and replay one incident; an unknown id is exit 2 with the ids that exist. */
export function loadIncident(storeDir: string, id: string): LoadedIncident {
  const file = existingTimeline(storeDir, id);
  const t = readTimelineFile(file);
  const state = replay(t.events, t.problems);
  if (!state) throw new InvalidInputError(`${file}:1: the timeline does not begin with incident_opened; it is not a payctl timeline`);
  return { id, file, events: t.events, problems: t.problems, state };
}

export function replayFile(file: string): { state: IncidentState; problems: TimelineProblem[] } {
  const visitor = new ReplayVisitor();
  scanTimeline(readFileSync(file), visitor);
  return visitor.finish(`${file}:1`);
}

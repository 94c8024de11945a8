/**
 * Which components of a Statuspage page a provider watches. A watched name is
 * a component's name, a group's name (its children are watched), "Group/Name"
 * (one component of one group: pages such as Qualys's repeat a name under
 * many groups) or a component or group id, compared ignoring case and extra
 * spaces. A name the page lacks is reported with the nearest names on the
 * page; a bare name found in several groups is reported with the groups; a
 * components value that is not a list of named objects is malformed.
 */
import { cleanText } from '../control-chars.js';
import { nearestNames } from '../nearest-names.js';
import type { ComponentStatus } from './statuspage.js';

interface RawComponent {
  id?: unknown;
  name?: unknown;
  status?: unknown;
  group?: unknown;
  group_id?: unknown;
  components?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A watched name that matched components in more than one group. */
export interface AmbiguousName {
  name: string;
  groups: string[];
}

/** A watched name the page does not have, with the page's nearest names. */
export interface MissingName {
  name: string;
  suggestions: string[];
}

export interface WatchedComponents {
  components: ComponentStatus[];
  missing: MissingName[];
  ambiguous: AmbiguousName[];
  /** Why the list is not a Statuspage components list (then nothing else is meaningful). */
  malformed?: string;
}

const norm = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();
/** Whether a normalised watched name is "Group/Name" for this component (spaces around the slash ignored). */
function isQualifiedName(wanted: string, group: string, name: string): boolean {
  const g = norm(group);
  if (!wanted.startsWith(g)) return false;
  const rest = wanted.slice(g.length).trimStart();
  return rest.startsWith('/') && rest.slice(1).trim() === norm(name);
}

/** Why a components value is not a list of component objects with names, or undefined when it is. */
function componentsProblem(rawList: unknown): string | undefined {
  if (!Array.isArray(rawList)) return `"components" is ${rawList === undefined ? 'missing' : `not a list (${typeof rawList})`}`;
  const bad = rawList.findIndex((c) => !c || typeof c !== 'object' || Array.isArray(c) || typeof (c as RawComponent).name !== 'string');
  if (bad >= 0)
    return `"components" item ${bad + 1} is not a component object with a name (got ${JSON.stringify(rawList[bad])?.slice(0, 40) ?? String(rawList[bad])})`;
  return undefined;
}

/** Pick the watched components from a components list (summary.json or components.json). */
export function watchedComponents(rawList: unknown, watched: string[] | undefined): WatchedComponents {
  const problem = componentsProblem(rawList);
  if (problem) return { components: [], missing: [], ambiguous: [], malformed: problem };
  const list = (rawList as unknown[]).map((c) => c as RawComponent);
  const groups = list.filter((c) => c.group === true);
  const groupName = new Map<string, string>();
  for (const g of groups) if (str(g.id)) groupName.set(g.id as string, str(g.name) ?? '?');
  const leaves = list.filter((c) => c.group !== true);
  const groupOf = (c: RawComponent): string | undefined => (str(c.group_id) ? groupName.get(c.group_id as string) : undefined);
  const toStatus = (c: RawComponent): ComponentStatus => {
    const group = groupOf(c);
    return {
      name: cleanText(str(c.name) ?? '(unnamed)'),
      status: cleanText(str(c.status) ?? 'unknown'),
      ...(group ? { group: cleanText(group) } : {}),
      ...(str(c.id) ? { id: c.id as string } : {}),
    };
  };
  if (!watched || watched.length === 0) return { components: leaves.map(toStatus), missing: [], ambiguous: [] };

  const out: ComponentStatus[] = [];
  const seen = new Set<RawComponent>();
  const missing: MissingName[] = [];
  const ambiguous: AmbiguousName[] = [];
  const add = (c: RawComponent) => {
    if (!seen.has(c)) {
      seen.add(c);
      out.push(toStatus(c));
    }
  };
  const childrenOf = (g: RawComponent): RawComponent[] => {
    const childIds = new Set(arr(g.components).filter((x): x is string => typeof x === 'string'));
    return leaves.filter((c) => (str(c.id) && childIds.has(c.id as string)) || (str(c.group_id) && c.group_id === g.id));
  };
  const addGroup = (g: RawComponent) => {
    const children = childrenOf(g);
    if (children.length) children.forEach(add);
    else add({ ...g, group: false });
  };
  for (const name of watched) {
    const wanted = norm(name);
    // an id names exactly one component or group
    const byId = list.find((c) => str(c.id) === name.trim());
    if (byId) {
      if (byId.group === true) addGroup(byId);
      else add(byId);
      continue;
    }
    const namedGroups = groups.filter((x) => norm(str(x.name) ?? '') === wanted);
    const namedLeaves = leaves.filter((x) => norm(str(x.name) ?? '') === wanted);
    // "Group/Name": a component of one group (names may hold slashes themselves, so the whole string is compared)
    const qualifiedLeaves = namedLeaves.length
      ? []
      : leaves.filter((x) => groupOf(x) !== undefined && isQualifiedName(wanted, groupOf(x)!, str(x.name) ?? ''));
    namedGroups.forEach(addGroup);
    namedLeaves.forEach(add);
    qualifiedLeaves.forEach(add);
    const inGroups = [...new Set(namedLeaves.map((c) => groupOf(c) ?? '(no group)'))];
    if (inGroups.length > 1) ambiguous.push({ name, groups: inGroups.map((g) => cleanText(g)) });
    if (!namedGroups.length && !namedLeaves.length && !qualifiedLeaves.length) {
      const names = [...groups.map((g) => str(g.name) ?? ''), ...leaves.map((c) => str(c.name) ?? '')];
      missing.push({ name, suggestions: nearestNames(name, names).map((g) => cleanText(g)) });
    }
  }
  return { components: out, missing, ambiguous };
}

/**
 * `playbook list` without re-checking unchanged playbooks: what the full check
 * (syntax, schema, lint) found for a file is remembered in payctl's own cache
 * directory ($XDG_CACHE_HOME/payctl, else ~/.cache/payctl), one small file per
 * result, keyed by everything the check reads: the payctl version, the
 * playbook's path and text, the lint options (providers, channels, config) and
 * the content of every message template (templates/messages). Any change is a miss, which runs the
 * full check (loading the YAML parser, zod and the template engine only then)
 * and remembers its result. A cache that cannot be read or written is never
 * an error: the check just runs.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVersion } from '../package-root.js';
import { cacheDir } from '../cache-dir.js';
import type { LintOptions } from './lint.js';

const FORMAT = 1;

/** What `playbook list` shows of a playbook. */
export interface PlaybookSummary {
  id: string | null;
  title: string | null;
  severity: string | null;
  steps: number | null;
  /** How many problems the full check found (0: valid). */
  problems: number;
}

/** The playbook files of a directory (*.yaml, *.yml), sorted. */
export function listPlaybookFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The content of every message template (templates/messages: what template checks read). */
function templatesFingerprint(dir: string | undefined): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(`${p}\0`).update(readFileSync(p)).update('\0');
    }
  };
  if (dir) walk(join(dir, 'messages'));
  return h.digest('hex');
}

/** Summaries of playbook files, from the cache where the check's inputs are unchanged. */
export async function summarizePlaybooks(files: string[], opts: LintOptions, env: NodeJS.ProcessEnv): Promise<PlaybookSummary[]> {
  const dir = join(cacheDir(env), 'playbook-lint');
  const common = `${FORMAT}\0${packageVersion()}\0${JSON.stringify({ providers: opts.providers, channels: opts.channels, config: opts.config })}\0${templatesFingerprint(opts.templatesDir)}`;
  let check: typeof import('./load.js') | undefined;
  const out: PlaybookSummary[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      text = '';
    }
    const entry = join(dir, `${createHash('sha256').update(`${common}\0${file}\0${text}`).digest('hex')}.json`);
    const hit = readEntry(entry);
    if (hit) {
      out.push(hit);
      continue;
    }
    check ??= await import('./load.js');
    const checked = check.validatePlaybookFile(file, opts);
    // one that is well-formed but fails a check (say, a provider the config lacks) is still named
    const pb = checked.playbook ?? (checked.problems.length ? check.loadPlaybookFile(file).playbook : undefined);
    const summary: PlaybookSummary = pb
      ? { id: pb.id, title: pb.title, severity: pb.severity, steps: pb.steps.length, problems: checked.problems.length }
      : { id: null, title: null, severity: null, steps: null, problems: checked.problems.length };
    writeEntry(dir, entry, summary);
    out.push(summary);
  }
  return out;
}

function readEntry(file: string): PlaybookSummary | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PlaybookSummary;
  } catch {
    return undefined;
  }
}

function writeEntry(dir: string, file: string, summary: PlaybookSummary): void {
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(summary));
    renameSync(tmp, file); // readers see the whole entry or none
  } catch {
    // no cache (read-only home, full disk): the next list checks again
  }
}

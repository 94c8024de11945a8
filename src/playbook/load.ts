/**
 * Loading playbooks: YAML with positions → schema check → typed Playbook.
 * Deeper checks (references, templates, providers) are in lint.ts.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { InvalidInputError, SourceError, type SourceProblem } from '../errors.js';
import { readYamlSource, type YamlSource } from '../source/yaml-file.js';
import { nearest } from '../source/zod-problems.js';
import { Playbook } from './schema.js';
import { playbookSchemaProblems } from './problems.js';
import { lintPlaybook, type LintOptions } from './lint.js';
import { listPlaybookFiles } from './lint-cache.js';

export interface LoadedPlaybook {
  file: string;
  src: YamlSource;
  /** Undefined when there were syntax or schema problems. */
  playbook?: Playbook;
  problems: SourceProblem[];
}

/** Syntax and schema problems only (cheap; used to list and find playbooks). */
export function loadPlaybookFile(file: string): LoadedPlaybook {
  const src = readYamlSource(file);
  if (src.problems.length) return { file, src, problems: src.problems };
  const parsed = Playbook.safeParse(src.data);
  if (!parsed.success) return { file, src, problems: playbookSchemaProblems(src) };
  return { file, src, playbook: parsed.data, problems: [] };
}

/**
 * Every problem of one file: syntax, schema and lint, in file order. `playbook`
 * is set only when there are none.
 */
export function validatePlaybookFile(file: string, opts: LintOptions = {}): LoadedPlaybook {
  const loaded = loadPlaybookFile(file);
  if (loaded.src.problems.length) return loaded;
  const problems = [...loaded.problems, ...lintPlaybook(loaded.src, opts)];
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return problems.length ? { file, src: loaded.src, problems } : loaded;
}

export { listPlaybookFiles };

/**
 * A playbook by id (or by path). Throws exit 2 with located problems when it is
 * invalid, and names the known ids when it is not found.
 */
/** The ids of the playbooks in `dir` that load (a file with syntax or schema problems has none). */
function playbookIds(dir: string): string[] {
  return listPlaybookFiles(dir)
    .map((f) => loadPlaybookFile(f).playbook?.id)
    .filter((id): id is string => Boolean(id));
}

/**
 * "no playbook <id> in <where>": the ids `dirs` hold, the nearest one, and the
 * files there that do not load (so were not searched).
 */
export function noPlaybook(id: string, where: string, dirs: string[], cwd: string): InvalidInputError {
  const ids = [...new Set(dirs.flatMap(playbookIds))];
  const broken = dirs.flatMap(listPlaybookFiles).filter((f) => !loadPlaybookFile(f).playbook);
  const near = nearest(id, ids);
  const hints = [
    ids.length ? `known playbooks: ${ids.join(', ')}` : 'create one in playbooks/, or run payctl init',
    ...(broken.length
      ? [`not readable, so not searched: ${broken.map((f) => relative(cwd, f)).join(', ')} (payctl playbook validate says why)`]
      : []),
  ];
  return new InvalidInputError(`no playbook "${id}" in ${where}${near ? ` (did you mean "${near}"?)` : ''}`, hints.join('; '));
}

export function findPlaybook(dir: string, idOrPath: string, cwd = process.cwd()): LoadedPlaybook & { playbook: Playbook } {
  const asPath = resolve(cwd, idOrPath);
  let file: string | undefined;
  if (/\.ya?ml$/.test(idOrPath) && existsSync(asPath)) file = asPath;
  else {
    for (const f of listPlaybookFiles(dir)) {
      const loaded = loadPlaybookFile(f);
      if (loaded.playbook?.id === idOrPath || f.endsWith(`/${idOrPath}.yaml`) || f.endsWith(`/${idOrPath}.yml`)) {
        file = f;
        break;
      }
    }
  }
  if (!file) throw noPlaybook(idOrPath, dir, [dir], cwd);
  const loaded = validatePlaybookFile(file);
  if (!loaded.playbook) throw new SourceError(loaded.problems, `fix the playbook; payctl playbook validate ${file} lists every problem`);
  return loaded as LoadedPlaybook & { playbook: Playbook };
}

/**
 * `payctl init`: a commented payctl.config.yaml, the shipped playbooks and
 * templates, and the playbook JSON Schema (so the playbooks' `$schema` line
 * works), written into the current directory. An existing file is never
 * overwritten: it is reported as kept.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Context } from '../context.js';
import { OperationError, messageOf } from '../errors.js';
import { CONFIG_FILE } from '../config/load.js';
import { EXAMPLE_CONFIG } from '../config/example.js';
import { packageRoot } from '../package-root.js';

export interface InitResult {
  written: string[];
  kept: string[];
}

/** Every file under dir, as paths relative to dir (sorted). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

export function initProject(target: string, root = packageRoot()): InitResult {
  const plan: { path: string; content: () => string | Buffer }[] = [{ path: CONFIG_FILE, content: () => EXAMPLE_CONFIG }];
  for (const dir of ['playbooks', 'templates']) {
    for (const rel of filesUnder(join(root, dir))) {
      plan.push({ path: join(dir, rel), content: () => readFileSync(join(root, dir, rel)) });
    }
  }
  const schema = join(root, 'schema', 'playbook.schema.json');
  if (existsSync(schema)) plan.push({ path: join('schema', 'playbook.schema.json'), content: () => readFileSync(schema) });

  const result: InitResult = { written: [], kept: [] };
  for (const { path, content } of plan) {
    const dest = join(target, path);
    if (existsSync(dest)) {
      result.kept.push(path);
      continue;
    }
    try {
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, content(), { flag: 'wx' }); // wx: never replace a file created meanwhile
      result.written.push(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') result.kept.push(path);
      else throw new OperationError(`cannot write ${dest}: ${messageOf(e)}`);
    }
  }
  return result;
}

export async function init(ctx: Context): Promise<void> {
  const result = initProject(ctx.cwd);
  if (ctx.out.jsonMode) {
    ctx.out.json(result);
    return;
  }
  const c = ctx.out.color;
  for (const p of result.written) ctx.out.line(`${c.green('wrote')} ${p}`);
  for (const p of result.kept) ctx.out.line(`${c.dim('kept ')} ${p} ${c.dim('(exists; not overwritten)')}`);
  ctx.out.info(
    `${result.written.length} written, ${result.kept.length} kept. Next: edit ${CONFIG_FILE} (docs/config.md), export the env: secrets it names, then payctl playbook validate and payctl check.`,
  );
}

/** `payctl playbook list | show | validate`. */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { formatProblem, InvalidInputError, type SourceProblem } from '../errors.js';
import type { LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Playbook } from '../playbook/schema.js';
import { listPlaybookFiles, summarizePlaybooks } from '../playbook/lint-cache.js';
import type { LintOptions } from '../playbook/lint.js';
import { formatTable } from '../ui/table.js';

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(ctx: Context, file: string): string {
  const rel = relative(ctx.cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

export async function list(ctx: Context): Promise<void> {
  const cfg = ctx.config();
  const files = listPlaybookFiles(cfg.playbooksDir);
  // the same checks as validate (and as a run, which lints first), remembered by content: a playbook listed as valid runs
  const summaries = await summarizePlaybooks(files, lintOptions(cfg), ctx.env);
  const rows = summaries.map(({ problems, ...about }, i) => ({ ...about, file: shown(ctx, files[i]!), valid: problems === 0, problems }));
  if (ctx.out.jsonMode) {
    ctx.out.json({ dir: shown(ctx, cfg.playbooksDir), playbooks: rows });
    return;
  }
  if (!rows.length) {
    ctx.out.info(`no playbooks in ${shown(ctx, cfg.playbooksDir)} (run payctl init to get the standard ones)`);
    return;
  }
  const c = ctx.out.color;
  const table = rows.map((r) => [
    r.id ?? c.red('invalid'),
    r.valid ? (r.title ?? '') : c.red(`${r.problems} problem${r.problems === 1 ? '' : 's'}: run payctl playbook validate ${r.file}`),
    r.severity ?? '',
    r.steps === null ? '' : String(r.steps),
    r.file,
  ]);
  for (const line of await formatTable([['ID', 'TITLE', 'SEV', 'STEPS', 'FILE'].map((h) => c.bold(h)), ...table])) ctx.out.line(line);
}

export async function show(ctx: Context, id: string): Promise<void> {
  const cfg = ctx.config();
  const [{ findPlaybook }, { outlinePlaybook }, { isUnset, playbookSecrets }] = await Promise.all([
    import('../playbook/load.js'),
    import('../playbook/outline.js'),
    import('../engine/secrets-needed.js'),
  ]);
  const loaded = findPlaybook(cfg.playbooksDir, id, ctx.cwd);
  // the variables its steps read: their own env: fields, and the config's for the channels, routing and metrics they use
  const defaults = await inputDefaults(loaded.playbook, cfg.config);
  const secrets = playbookSecrets(loaded.playbook.steps, cfg.config, defaults).map((s) => ({ ...s, set: !isUnset(ctx.env, s.variable) }));
  if (ctx.out.jsonMode) {
    ctx.out.json({ file: shown(ctx, loaded.file), playbook: loaded.playbook, secrets });
    return;
  }
  const c = ctx.out.color;
  for (const line of outlinePlaybook(loaded.playbook, shown(ctx, loaded.file), c)) ctx.out.line(line);
  ctx.out.line();
  ctx.out.line(
    c.bold('Secrets') +
      c.dim(
        cfg.file
          ? ' (environment variables its steps read, with this config)'
          : ' (named by the playbook itself; channels and routing add theirs once a config names them)',
      ),
  );
  if (!secrets.length) ctx.out.line(c.dim('  none'));
  const width = Math.max(0, ...secrets.map((s) => s.variable.length));
  for (const s of secrets) {
    ctx.out.line(
      `  ${s.variable.padEnd(width)}  ${s.where.join(', ')} ${c.dim(`(steps ${s.steps.join(', ')})`)}${s.set ? '' : c.yellow('  not set')}`,
    );
  }
}

/** The inputs' defaults (those over the config rendered), for names a step takes from an input (escalate to: "{{ inputs.provider }}"). */
async function inputDefaults(pb: Playbook, config: Config): Promise<Record<string, unknown>> {
  const { renderString } = await import('../template/engine.js');
  const out: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(pb.inputs ?? {})) {
    if (typeof input.default !== 'string') continue;
    out[name] = await renderString(input.default, { config, inputs: out }, `input ${name}`).catch(() => undefined);
  }
  return out;
}

export interface ValidationReport {
  file: string;
  ok: boolean;
  problems: SourceProblem[];
}

/** Validate files (or every playbook of the playbooks directory): syntax, schema and lint, all problems in one run. */
export async function validatePlaybooks(ctx: Context, files: string[]): Promise<ValidationReport[]> {
  const cfg = ctx.config();
  const { validatePlaybookFile } = await import('../playbook/load.js');
  const targets = resolveTargets(ctx, cfg, files);
  const opts = lintOptions(cfg);
  return targets.map((file) => {
    const problems = validatePlaybookFile(file, opts).problems.map((p) => ({ ...p, file: shown(ctx, p.file) }));
    return { file: shown(ctx, file), ok: problems.length === 0, problems };
  });
}

export function lintOptions(cfg: LoadedConfig): LintOptions {
  const withConfig = cfg.file !== undefined;
  return {
    providers: withConfig ? Object.keys(cfg.config.providers) : undefined,
    channels: withConfig ? Object.keys(cfg.config.channels) : undefined,
    config: withConfig ? cfg.config : undefined,
    templatesDir: cfg.templatesDir,
  };
}

export async function validate(ctx: Context, files: string[] = []): Promise<void> {
  const reports = await validatePlaybooks(ctx, files);
  const bad = reports.filter((r) => !r.ok);
  const count = bad.reduce((n, r) => n + r.problems.length, 0);
  if (ctx.out.jsonMode) {
    ctx.out.json({
      files: reports.map((r) => ({
        file: r.file,
        ok: r.ok,
        problems: r.problems.map(({ line, col, message }) => ({ line, col, message })),
      })),
    });
  } else {
    const c = ctx.out.color;
    for (const r of reports) {
      if (r.ok) ctx.out.line(`${c.green('ok')}  ${r.file}`);
      else for (const p of r.problems) ctx.out.line(formatProblem(p));
    }
  }
  const n = reports.length;
  if (bad.length) {
    throw new InvalidInputError(
      `${count} problem${count === 1 ? '' : 's'} in ${bad.length} of ${n} playbook${n === 1 ? '' : 's'}`,
      'the format is described in docs/playbooks.md',
    );
  }
  ctx.out.info(`${n} playbook${n === 1 ? '' : 's'} valid`);
}

function resolveTargets(ctx: Context, cfg: LoadedConfig, files: string[]): string[] {
  if (!files.length) {
    const all = listPlaybookFiles(cfg.playbooksDir);
    if (!all.length) {
      throw new InvalidInputError(
        `no playbooks in ${shown(ctx, cfg.playbooksDir)}`,
        'pass files to check, or run payctl init to get the standard playbooks',
      );
    }
    return all;
  }
  const out: string[] = [];
  for (const f of files) {
    const abs = resolve(ctx.cwd, f);
    if (existsSync(abs) && statSync(abs).isDirectory()) out.push(...listPlaybookFiles(abs));
    else out.push(abs); // a missing file is reported as a problem of that file
  }
  return out;
}

/** Left-aligned columns, two spaces apart (colour codes do not count towards width). */

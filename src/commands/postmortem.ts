/** payctl postmortem <id>: a Markdown draft from the timeline. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { checkOutputPath, writeOutputFile } from '../output-file.js';
import { incidentDir } from '../timeline/store.js';
import { digestForPostmortem } from '../postmortem/digest.js';
import { buildPostmortemData, type PostmortemData } from '../postmortem/data.js';
import { postmortemTemplatePath, renderPostmortem } from '../postmortem/render.js';
import { brokenChainWarning, type VerifyReport } from '../timeline/verify.js';
import { resolveIncidentId } from './incident-id.js';

export interface PostmortemOptions {
  template?: string;
  /** A file instead of the store's postmortem.md (checked: output-file.ts), or - for stdout. */
  out?: string;
  force?: boolean;
  json?: boolean;
}

export interface WrittenPostmortem {
  file: string;
  data: PostmortemData;
  markdown: string;
}

/** Build and render the draft. */
async function draftPostmortem(
  ctx: Context,
  id: string,
  opts: PostmortemOptions,
): Promise<{ id: string; data: PostmortemData; markdown: string }> {
  const lc = ctx.config();
  const inc = await digestForPostmortem(await ctx.store(), id);
  const data = buildPostmortemData({
    digest: inc,
    primary: lc.config.routing?.primary,
    threshold: lc.config.thresholds.success_rate,
    business: lc.config.business,
    generatedAt: ctx.clock.now().toISOString(),
    chainWarning: draftWarning(inc.chain, inc.id),
  });
  const template = postmortemTemplatePath(lc.templatesDir, opts.template ? resolve(ctx.cwd, opts.template) : undefined);
  return { id: inc.id, data, markdown: await renderPostmortem(data, template) };
}

/** Build, render and write the draft to its place beside the timeline, rewritten by each run (also used by `payctl demo`). */
export async function writePostmortem(
  ctx: Context,
  id: string,
  opts: Pick<PostmortemOptions, 'template'> = {},
): Promise<WrittenPostmortem> {
  const draft = await draftPostmortem(ctx, id, opts);
  const file = join(incidentDir(ctx.config().storeDir, draft.id), 'postmortem.md');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, draft.markdown);
  return { file, data: draft.data, markdown: draft.markdown };
}

function draftWarning(chain: VerifyReport | undefined, id: string): string | undefined {
  const broken = chain && brokenChainWarning(chain);
  return broken ? `${broken}: this draft may include edited events. Check it with payctl incident verify ${id}.` : undefined;
}

export async function postmortem(ctx: Context, idArg: string, opts: PostmortemOptions): Promise<void> {
  if (opts.out === '-' && opts.json)
    throw new InvalidInputError('--out - and --json both print to stdout', 'drop one, or write the draft to a file with --out <file>');
  const id = await resolveIncidentId(ctx, idArg);
  let file: string | undefined;
  let data: PostmortemData;
  if (opts.out) {
    // a path the user names is checked before any work: never inside the store, never over a file without --force
    checkOutputPath(ctx, opts.out, { force: opts.force });
    const draft = await draftPostmortem(ctx, id, opts);
    file = writeOutputFile(ctx, opts.out, draft.markdown, { force: opts.force });
    data = draft.data;
  } else {
    ({ file, data } = await writePostmortem(ctx, id, opts));
  }
  if (opts.json) {
    ctx.out.json({ file, ...data });
    return;
  }
  if (file) {
    const shown = relative(ctx.cwd, file) || file;
    ctx.out.line(`Postmortem draft: ${shown.startsWith('..') ? file : shown}`);
  }
  if (data.integrity_warning) ctx.out.warn(data.integrity_warning);
  if (data.draft_status.open) ctx.out.warn(`incident ${id} is still open (status: ${data.summary.status}); the draft is marked as such`);
  const gaps = data.gaps.filter((g) => !g.startsWith('The incident is still open'));
  if (gaps.length)
    ctx.out.info(`${gaps.length} gap${gaps.length === 1 ? '' : 's'} in the record, listed under "What the record does not say"`);
}

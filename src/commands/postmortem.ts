/** payctl postmortem <id>: a Markdown draft from the timeline. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { incidentDir } from '../timeline/store.js';
import { loadIncidentForDocuments } from '../postmortem/load.js';
import { buildPostmortemData, type PostmortemData } from '../postmortem/data.js';
import { postmortemTemplatePath, renderPostmortem } from '../postmortem/render.js';
import { brokenChainWarning, type VerifyReport } from '../timeline/verify.js';

export interface PostmortemOptions {
  template?: string;
  out?: string;
  json?: boolean;
}

export interface WrittenPostmortem {
  file: string;
  data: PostmortemData;
  markdown: string;
}

/** Build, render and write the draft (also used by `payctl demo`). */
export async function writePostmortem(ctx: Context, id: string, opts: PostmortemOptions = {}): Promise<WrittenPostmortem> {
  const lc = ctx.config();
  const inc = loadIncidentForDocuments(lc.storeDir, id);
  const data = buildPostmortemData({
    events: inc.events,
    problems: inc.problems,
    state: inc.state,
    primary: lc.config.routing?.primary,
    threshold: lc.config.thresholds.success_rate,
    business: lc.config.business,
    generatedAt: ctx.clock.now().toISOString(),
    chainWarning: draftWarning(inc.chain, inc.id),
  });
  const template = postmortemTemplatePath(lc.templatesDir, opts.template ? resolve(ctx.cwd, opts.template) : undefined);
  const markdown = await renderPostmortem(data, template);
  const file = opts.out ? resolve(ctx.cwd, opts.out) : join(incidentDir(lc.storeDir, inc.id), 'postmortem.md');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, markdown);
  return { file, data, markdown };
}

function draftWarning(chain: VerifyReport | undefined, id: string): string | undefined {
  const broken = chain && brokenChainWarning(chain);
  return broken ? `${broken}: this draft may include edited events. Check it with payctl incident verify ${id}.` : undefined;
}

export async function postmortem(ctx: Context, id: string, opts: PostmortemOptions): Promise<void> {
  const { file, data } = await writePostmortem(ctx, id, opts);
  if (opts.json) {
    ctx.out.json({ file, ...data });
    return;
  }
  const shown = relative(ctx.cwd, file) || file;
  ctx.out.line(`Postmortem draft: ${shown.startsWith('..') ? file : shown}`);
  if (data.integrity_warning) ctx.out.warn(data.integrity_warning);
  if (data.draft_status.open) ctx.out.warn(`incident ${id} is still open (status: ${data.summary.status}); the draft is marked as such`);
  const gaps = data.gaps.filter((g) => !g.startsWith('The incident is still open'));
  if (gaps.length) ctx.out.info(`${gaps.length} gap${gaps.length === 1 ? '' : 's'} in the record, listed under "What the record does not say"`);
}

/** payctl incident export <id> --format json|md [--out file]: the raw timeline for sharing. */
import type { Context } from '../context.js';
import { checkOutputPath, writeOutputFile } from '../output-file.js';
import { InvalidInputError } from '../errors.js';
import { redactDeep } from '../secrets.js';
import { loadIncident } from '../store/load.js';
import { timelineMarkdown } from '../postmortem/export-md.js';
import { resolveIncidentId } from './incident-id.js';

export interface ExportOptions {
  format: string;
  /** A file (checked: output-file.ts), or - for stdout (the default). */
  out?: string;
  force?: boolean;
}

export async function exportIncident(ctx: Context, idArg: string, opts: ExportOptions): Promise<void> {
  const format = opts.format ?? 'md';
  if (format !== 'json' && format !== 'md') throw new InvalidInputError(`--format must be json or md, not "${format}"`);
  if (opts.out) checkOutputPath(ctx, opts.out, { force: opts.force }); // a bad --out is said before the incident is read
  const inc = await loadIncident(await ctx.store(), await resolveIncidentId(ctx, idArg));
  const text =
    format === 'json'
      ? JSON.stringify(redactDeep({ incident: inc.state, events: inc.events, problems: inc.problems }), null, 2) + '\n'
      : timelineMarkdown(inc.state, inc.events, inc.problems);
  const file = writeOutputFile(ctx, opts.out ?? '-', text, { force: opts.force });
  if (file) ctx.out.info(`wrote ${file} (${inc.events.length} events)`);
}

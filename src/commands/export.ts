/** payctl incident export <id> --format json|md: the raw timeline for sharing. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Context } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { redactDeep } from '../secrets.js';
import { loadIncident } from '../timeline/store.js';
import { timelineMarkdown } from '../postmortem/export-md.js';

export interface ExportOptions {
  format: string;
  out?: string;
}

export async function exportIncident(ctx: Context, id: string, opts: ExportOptions): Promise<void> {
  const format = opts.format ?? 'md';
  if (format !== 'json' && format !== 'md') throw new InvalidInputError(`--format must be json or md, not "${format}"`);
  const inc = loadIncident(ctx.config().storeDir, id);
  const text = format === 'json'
    ? JSON.stringify(redactDeep({ incident: inc.state, events: inc.events, problems: inc.problems }), null, 2) + '\n'
    : timelineMarkdown(inc.state, inc.events, inc.problems);
  if (opts.out) {
    const file = resolve(ctx.cwd, opts.out);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    ctx.out.info(`wrote ${file} (${inc.events.length} events)`);
    return;
  }
  ctx.streams.stdout.write(text);
}

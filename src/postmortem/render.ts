/**
 * Rendering the postmortem data through a liquid template (templates/postmortem.md
 * by default). A syntax error or an unknown variable in a custom template is
 * reported with its file and line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceError } from '../errors.js';
import { redact } from '../secrets.js';
import { cleanText } from '../control-chars.js';
import { cleanLiquidMessage, liquid } from '../template/engine.js';
import { bundledTemplatesDir } from '../messages/templates.js';
import type { PostmortemData } from './data.js';

export const POSTMORTEM_TEMPLATE = 'postmortem.md';

/** The template to use: --template, else <templates dir>/postmortem.md, else the one shipped with payctl. */
export function postmortemTemplatePath(templatesDir: string, explicit?: string): string {
  if (explicit) return explicit;
  const own = join(templatesDir, POSTMORTEM_TEMPLATE);
  return existsSync(own) ? own : join(bundledTemplatesDir(), POSTMORTEM_TEMPLATE);
}

/** liquid's strict mode rejects undefined, so absent values become null (falsy in {% if %}). */
function nullify(v: unknown): unknown {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(nullify);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = nullify(x);
    return out;
  }
  return v;
}

function located(file: string, e: unknown): SourceError {
  const msg = cleanLiquidMessage(e);
  const m = /, line:(\d+), col:(\d+)$/.exec(msg);
  return new SourceError(
    [{ file, line: m ? Number(m[1]) : 1, col: m ? Number(m[2]) : 1, message: m ? msg.slice(0, m.index) : msg }],
    'fix the template, or omit --template to use the default one',
  );
}

export async function renderPostmortem(data: PostmortemData, templateFile: string): Promise<string> {
  let text: string;
  try {
    text = readFileSync(templateFile, 'utf8');
  } catch (e) {
    throw new SourceError([
      { file: templateFile, line: 1, col: 1, message: `cannot read the template (${(e as NodeJS.ErrnoException).code ?? 'error'})` },
    ]);
  }
  let tpl;
  try {
    tpl = liquid().parse(text);
  } catch (e) {
    throw located(templateFile, e);
  }
  let out: string;
  try {
    out = await liquid().render(tpl, nullify(data) as Record<string, unknown>);
  } catch (e) {
    throw located(templateFile, e);
  }
  // a broken hash chain is said first, whatever the template
  if (data.integrity_warning) out = `> **Warning: ${data.integrity_warning}**\n\n${out}`;
  // collapse runs of blank lines left by conditional blocks; redact and drop control characters as the last step
  return cleanText(
    redact(
      out
        .replace(/\n{3,}/g, '\n\n')
        .replace(/^\n+/, '')
        .trimEnd() + '\n',
    ),
    { multiline: true },
  );
}

/**
 * Static checks of a message template's use, for `playbook validate`: the
 * template exists, uses only known variables, and the step supplies every
 * variable the template requires. The social variant is rendered with the
 * declared defaults and samples and must fit in 280 characters.
 */
import { liquid, syntaxError, variablesOf } from '../template/engine.js';
import { listMessageTemplateNames, readMessageTemplate, SOCIAL_LIMIT, variantTexts } from './templates.js';
import { SAMPLE_INCIDENT, sampleVars } from './sample.js';
import { charCount } from './render.js';

/** The keys of `incident` in a template's scope (see the contracts). */
export const INCIDENT_KEYS = ['id', 'title', 'severity', 'status', 'playbook', 'started_at', 'elapsed', 'dry_run', 'roles', 'team'];
const ROOTS = new Set(['incident', 'config', 'vars', 'now']);

/** Names bound inside the template itself (for loops, assign, capture). */
function localNames(text: string): Set<string> {
  const out = new Set<string>(['forloop']);
  for (const m of text.matchAll(/\{%-?\s*(?:for|assign|capture|increment|decrement)\s+([A-Za-z_][\w-]*)/g)) out.add(m[1]!);
  return out;
}

export function checkTemplateUse(templatesDir: string, name: string, suppliedVars: string[]): string[] {
  let t;
  try {
    t = readMessageTemplate(templatesDir, name);
  } catch (e) {
    return [(e as Error).message];
  }
  if (!t) {
    const known = listMessageTemplateNames(templatesDir);
    return [`unknown message template "${name}"${known.length ? ` (templates: ${known.join(', ')})` : ''}`];
  }
  const problems = [...t.problems];
  const declared = Object.keys(t.vars);
  for (const [where, text] of variantTexts(t)) {
    const syntax = syntaxError(text, 'template');
    if (syntax) {
      problems.push(`template ${name} (${where}): ${syntax}`);
      continue;
    }
    const locals = localNames(text);
    for (const path of variablesOf(text, 'template')) {
      const [root, key] = path;
      if (!root || locals.has(root)) continue;
      if (!ROOTS.has(root)) {
        problems.push(
          `template ${name} (${where}) uses unknown variable "${path.join('.')}": use vars.${root} and declare it under vars:, or incident.* / config.*`,
        );
      } else if (root === 'vars' && key !== undefined && !declared.includes(key)) {
        problems.push(
          `template ${name} (${where}) uses vars.${key}, which is not declared under vars: (declared: ${declared.join(', ') || 'none'})`,
        );
      } else if (root === 'incident' && key !== undefined && !INCIDENT_KEYS.includes(key)) {
        problems.push(`template ${name} (${where}) uses incident.${key}; an incident has ${INCIDENT_KEYS.join(', ')}`);
      }
    }
  }
  for (const [k, d] of Object.entries(t.vars)) {
    if (d.required && d.default === undefined && !suppliedVars.includes(k))
      problems.push(`template ${name} needs vars.${k} (${d.description ?? 'required'}); add it under the step's vars:`);
  }
  for (const s of suppliedVars) {
    if (!declared.includes(s))
      problems.push(`vars.${s} is not used by template ${name} (it declares: ${declared.join(', ') || 'no vars'})`);
  }
  const social = t.variants.social;
  if (typeof social === 'string' && problems.length === 0) {
    try {
      const text = liquid()
        .parseAndRenderSync(social, { incident: SAMPLE_INCIDENT, config: {}, vars: sampleVars(t).vars, now: SAMPLE_INCIDENT.started_at })
        .trim();
      const n = charCount(text);
      if (n > SOCIAL_LIMIT)
        problems.push(
          `template ${name} (social) renders to ${n} characters with the declared defaults and samples; a social post may have at most ${SOCIAL_LIMIT}`,
        );
    } catch {
      // uses config values we do not have here; renderMessage enforces the limit at send time
    }
  }
  return problems;
}

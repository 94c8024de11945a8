/**
 * The scope a message template renders with: the step's scope plus `vars`,
 * the step's vars merged over the template's declared defaults.
 */
import { renderString, type Scope } from '../template/engine.js';
import { HttpError } from '../providers/http.js';
import { messageOf } from '../errors.js';
import type { StepResult } from '../engine/types.js';

export async function messageScope(templatesDir: string, template: string, scope: Scope, stepVars: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): Promise<Scope> {
  const vars: Record<string, unknown> = {};
  // loaded here, not at the top: failedFrom() below is on every run's path, these are not
  const { readYamlSource } = await import('../source/yaml-file.js');
  const { messageTemplatePath } = await import('../messages/render.js');
  const src = readYamlSource(messageTemplatePath(templatesDir, template));
  const declared = (src.data as { vars?: Record<string, { default?: unknown }> } | undefined)?.vars;
  for (const [k, v] of Object.entries(declared ?? {})) {
    if (v && typeof v === 'object' && v.default !== undefined) {
      vars[k] = typeof v.default === 'string' ? await renderString(v.default, scope, `template ${template}, vars.${k}.default`) : v.default;
    }
  }
  Object.assign(vars, extra, stepVars ?? {});
  return { ...scope, vars };
}

/** A thrown error as a failed step: network/5xx/timeouts are retryable, user mistakes are not. */
export function failedFrom(e: unknown): StepResult {
  const retryable = e instanceof HttpError ? e.retryable : false;
  return { outcome: 'failed', error: messageOf(e), retryable };
}

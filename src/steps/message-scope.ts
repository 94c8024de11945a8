/**
 * The scope a message template renders with: the step's scope plus `vars`,
 * the step's vars merged over the template's declared defaults.
 */
import { renderString, type Scope } from '../template/engine.js';
import { readYamlSource } from '../source/yaml-file.js';
import { messageTemplatePath } from '../messages/render.js';

export async function messageScope(
  templatesDir: string,
  template: string,
  scope: Scope,
  stepVars: Record<string, unknown> | undefined,
  extra: Record<string, unknown> = {},
): Promise<Scope> {
  const vars: Record<string, unknown> = {};
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

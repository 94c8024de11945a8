/**
 * Static checks of a message template's use, for `playbook validate`: the
 * template exists, uses only known variables, and the step supplies every
 * variable the template requires.
 */
// placeholder until the templates issue: accepts everything
export function checkTemplateUse(_templatesDir: string, _name: string, _suppliedVars: string[]): string[] {
  return [];
}

/** The playbooks shipped with payctl, used when the configured directory does not have the one asked for. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { findPlaybook, noPlaybook } from './load.js';
import { packagePath } from '../package-root.js';

export function bundledPlaybooksDir(): string {
  return packagePath('playbooks');
}

/** findPlaybook in `dir`, then among the shipped playbooks. */
export function findPlaybookOrBundled(dir: string, id: string, cwd: string): ReturnType<typeof findPlaybook> {
  try {
    return findPlaybook(dir, id, cwd);
  } catch (e) {
    const bundled = bundledPlaybooksDir();
    const notFound = e instanceof InvalidInputError && e.message.startsWith('no playbook');
    if (!notFound || resolve(bundled) === resolve(dir) || !existsSync(bundled)) throw e;
    try {
      return findPlaybook(bundled, id, cwd);
    } catch (e2) {
      if (!(e2 instanceof InvalidInputError && e2.message.startsWith('no playbook'))) throw e2;
      // in neither: name the project's directory, and every playbook either has
      throw noPlaybook(id, `${dir} or among the shipped ones`, [dir, bundled], cwd);
    }
  }
}

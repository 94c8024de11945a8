/** The playbooks shipped with payctl, used when the configured directory does not have the one asked for. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { findPlaybook } from './load.js';
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
    return findPlaybook(bundled, id, cwd);
  }
}

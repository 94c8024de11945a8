/**
 * Where payctl is installed: the directory holding its package.json. Found by
 * walking up from this module, so it is right from src/ (tests) and dist/
 * alike. The shipped playbooks/, templates/ and schema/ live there.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageInfo {
  root: string;
  version: string;
}

let found: PackageInfo | undefined;

function find(): PackageInfo {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'payctl') return { root: dir, version: pkg.version ?? '0.0.0' };
    } catch {
      // no (readable) package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`payctl: cannot find its package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The package root (a directory path, no trailing separator). */
export function packageRoot(): string {
  return (found ??= find()).root;
}

/** The version in payctl's package.json. */
export function packageVersion(): string {
  return (found ??= find()).version;
}

/** A path inside the package, e.g. packagePath('playbooks'). */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}

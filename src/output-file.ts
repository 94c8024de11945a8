/**
 * Writing what a command produced to the file a user named (--out, --report),
 * carefully: `-` means stdout; a path inside the incident store is refused
 * (a timeline must never be overwritten by an export); an existing file is
 * refused unless --force; a directory is an error that says so. Every
 * command that writes to a path the user gives goes through writeOutputFile.
 */
import { existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Context } from './context.js';
import { InvalidInputError } from './errors.js';

export interface OutputFileOptions {
  /** --force: an existing file may be overwritten. */
  force?: boolean;
  /** The flag that named the path, for messages (default --out). */
  flag?: string;
}

/** Where `path` (as given) would be written: undefined for stdout (`-`), else the absolute file, checked. */
export function checkOutputPath(ctx: Context, path: string, o: OutputFileOptions = {}): string | undefined {
  const flag = o.flag ?? '--out';
  if (path === '-') return undefined;
  if (path === '') throw new InvalidInputError(`${flag} needs a file name (or - for stdout)`);
  const file = resolve(ctx.cwd, path);
  const store = ctx.config().storeDir;
  if (isInside(realish(file), realish(store))) {
    throw new InvalidInputError(
      `${flag} ${path} is inside the incident store (${store}); payctl does not write there on request, so a timeline is never overwritten`,
      `name a file outside ${store}, or ${flag} - for stdout`,
    );
  }
  if (existsSync(file)) {
    if (statSync(file).isDirectory())
      throw new InvalidInputError(`${flag} ${path} is a directory; name a file`, `for example ${flag} ${path.replace(/\/+$/, '')}/<name>`);
    if (!o.force)
      throw new InvalidInputError(
        `${flag} ${path} already exists; it was not overwritten`,
        `pass --force to overwrite it, or name another file (${flag} - for stdout)`,
      );
  }
  return file;
}

/** Check `path` (checkOutputPath), then write `text` to it, or to stdout for `-`. Returns the file written, undefined for stdout. */
export function writeOutputFile(ctx: Context, path: string, text: string, o: OutputFileOptions = {}): string | undefined {
  const file = checkOutputPath(ctx, path, o);
  if (file === undefined) {
    ctx.streams.stdout.write(text);
    return undefined;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** The path with symlinks resolved as far as it exists (its missing tail kept as written). */
function realish(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : resolve(realish(parent), basename(path));
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

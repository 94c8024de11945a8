/**
 * The one table printer for every listing (incident list, playbook list,
 * providers, check, providers report, maintenance): columns as wide as their
 * widest cell as the terminal shows it (string-width: colour codes count for
 * nothing, wide characters for two), two spaces between columns, so no two
 * cells ever run together; the last column is not padded and lines carry no
 * trailing blanks. Cells may be coloured before they are laid out.
 * string-width is loaded only for a table with a cell beyond printable ASCII
 * (its import costs a listing more than laying out 10,000 plain rows).
 */

export interface TableOptions {
  /** Spaces between columns (default 2). */
  gap?: number;
  /** Right-align these columns (numbers). */
  alignRight?: number[];
}

/** The lines of a table: `rows[0]` is usually the header. Rows may be shorter than the widest (missing cells are empty). */
/** Colour codes as chalk writes them (SGR): no width. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what is matched
const SGR = /\x1b\[[0-9;]*m/g;
/** Printable ASCII: one column per character. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const plainWidth = (cell: string) => cell.replace(SGR, '').length;

/** How wide a cell shows: its length for printable ASCII (colour codes aside), else string-width's answer. */
async function widthFunction(rows: readonly (readonly string[])[]): Promise<(cell: string) => number> {
  if (rows.every((r) => r.every((cell) => PRINTABLE_ASCII.test(cell.replace(SGR, ''))))) return plainWidth;
  return (await import('string-width')).default;
}

export async function formatTable(rows: readonly (readonly string[])[], opts: TableOptions = {}): Promise<string[]> {
  const stringWidth = await widthFunction(rows);
  const gap = ' '.repeat(opts.gap ?? 2);
  const right = new Set(opts.alignRight ?? []);
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, stringWidth(cell))));
  return rows.map((r) => {
    const cells = widths.map((w, i) => {
      const cell = r[i] ?? '';
      const pad = ' '.repeat(w - stringWidth(cell));
      if (right.has(i)) return pad + cell;
      return i === widths.length - 1 ? cell : cell + pad;
    });
    return cells.join(gap).trimEnd();
  });
}

// docs/playbooks.md's table of step types lists, per type, exactly the result fields
// that src/timeline/results.ts declares (RESULT_FIELDS), so the docs stay true.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULT_FIELDS } from '../../src/timeline/results.js';
import { REPO } from './helpers.js';

/** type → the backticked names in the table's result column. */
function documented(): Map<string, string[]> {
  const md = readFileSync(join(REPO, 'docs', 'playbooks.md'), 'utf8');
  const section = md.slice(md.indexOf('### The step types'), md.indexOf('Every result may also have `dry_run`'));
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const type = /^`([a-z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!type) continue;
    const result = cells[cells.length - 2] ?? '';
    rows.set(
      type,
      [...result.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!),
    );
  }
  return rows;
}

describe('docs/playbooks.md result fields', () => {
  const rows = documented();
  it('has a row for every step type', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(RESULT_FIELDS).sort());
  });
  for (const [type, fields] of Object.entries(RESULT_FIELDS)) {
    it(`lists every declared result field of ${type}`, () => {
      const shown = new Set(rows.get(type));
      expect(fields.filter((f) => f !== 'dry_run' && !shown.has(f))).toEqual([]);
    });
  }
});

// Golden files: the postmortem of each fixture timeline, rendered through the
// default template with a fixed clock. A missing golden file fails; to write
// or rewrite them, run UPDATE_GOLDEN=1 npx vitest run test/postmortem/golden.test.ts
// and review the diff.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { renderPostmortem } from '../../src/postmortem/render.js';
import { BUSINESS, DEFAULT_TEMPLATE, GOLDEN_DIR, IDS, dataFor, goldenPath } from './helpers.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const HOW_TO_UPDATE = 'UPDATE_GOLDEN=1 npx vitest run test/postmortem/golden.test.ts';

describe('postmortem golden files', () => {
  for (const [name, id] of Object.entries(IDS)) {
    it(`${name} (${id}) matches its golden file`, async () => {
      const md = await renderPostmortem(
        dataFor(id, { business: name === 'full' || name === 'stillOpen' ? BUSINESS : undefined }),
        DEFAULT_TEMPLATE,
      );
      const file = goldenPath(id);
      if (UPDATE) writeFileSync(file, md);
      expect(existsSync(file), `golden file ${file} is missing: write it with ${HOW_TO_UPDATE}, review it and commit it`).toBe(true);
      expect(md, `differs from ${file}; if the change is intended: ${HOW_TO_UPDATE}`).toBe(readFileSync(file, 'utf8'));
    });
  }

  it('has no golden file without a fixture timeline', () => {
    const expected: string[] = Object.values(IDS).map((id) => `${id}.md`);
    expect(readdirSync(GOLDEN_DIR).filter((f) => !expected.includes(f))).toEqual([]);
  });
});

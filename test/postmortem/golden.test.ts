// Golden files: the postmortem of each fixture timeline, rendered through the
// default template with a fixed clock. UPDATE_GOLDEN=1 rewrites them.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderPostmortem } from '../../src/postmortem/render.js';
import { BUSINESS, DEFAULT_TEMPLATE, IDS, dataFor, goldenPath } from './helpers.js';

describe('postmortem golden files', () => {
  for (const [name, id] of Object.entries(IDS)) {
    it(`${name} (${id}) matches its golden file`, async () => {
      const md = await renderPostmortem(dataFor(id, { business: name === 'full' || name === 'stillOpen' ? BUSINESS : undefined }), DEFAULT_TEMPLATE);
      const file = goldenPath(id);
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, md);
      expect(md).toBe(readFileSync(file, 'utf8'));
    });
  }
});

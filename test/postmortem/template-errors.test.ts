// Custom postmortem templates: a syntax error or an unknown variable is
// reported with the file and line, never rendered as a blank.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPostmortem } from '../../src/postmortem/render.js';
import { SourceError } from '../../src/errors.js';
import { IDS, dataFor } from './helpers.js';

function template(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'payctl-pm-')), 'custom.md');
  writeFileSync(file, text);
  return file;
}

describe('custom postmortem templates', () => {
  it('renders a custom template with the same data', async () => {
    const md = await renderPostmortem(
      dataFor(IDS.full),
      template('# {{ summary.title }}\n{% for m in metrics %}- {{ m.label }}: {{ m.value }}\n{% endfor %}'),
    );
    expect(md).toContain('- Time to mitigate: 9m 45s');
  });

  it('a syntax error names the file and its line', async () => {
    const file = template('# Postmortem\n\n{% if summary.title %}\nno endif here\n');
    const err = await renderPostmortem(dataFor(IDS.full), file).catch((e) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err.problems[0]).toMatchObject({ file, line: 3 });
    expect(err.message).toContain(`${file}:3:1:`);
    expect(err.message).toContain('not closed');
  });

  it('an unknown variable names the file and line', async () => {
    const file = template('# {{ summary.title }}\n\nOwner: {{ summary.owner }}\n');
    const err = await renderPostmortem(dataFor(IDS.full), file).catch((e) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err.message).toContain(`${file}:3:`);
    expect(err.message).toContain('undefined variable: summary.owner');
  });
});

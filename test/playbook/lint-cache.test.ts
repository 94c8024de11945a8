/**
 * `playbook list` remembers each playbook's check result by content in
 * payctl's cache directory (src/playbook/lint-cache.ts): an unchanged file is
 * not checked again; an edit to the playbook, or to a message template, is.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/run-cli.js';

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'payctl-lint-cache-'));
  cpSync(join(REPO, 'playbooks'), join(dir, 'playbooks'), { recursive: true });
  cpSync(join(REPO, 'templates'), join(dir, 'templates'), { recursive: true });
  const env = { XDG_CACHE_HOME: join(dir, 'cache') };
  return { dir, env, entries: () => readdirSync(join(dir, 'cache', 'payctl', 'playbook-lint')).filter((f) => f.endsWith('.json')) };
}
const list = (p: ReturnType<typeof project>) => {
  const r = runCli(['playbook', 'list', '--json'], { cwd: p.dir, env: p.env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).playbooks as { id: string | null; file: string; valid: boolean; title: string | null }[];
};

describe('playbook list, remembered by content', () => {
  it('uses what it found while nothing changed; an edit to a playbook or a template is checked again', () => {
    const p = project();
    const first = list(p);
    expect(first).toHaveLength(readdirSync(join(p.dir, 'playbooks')).length);
    expect(first.every((r) => r.valid)).toBe(true);
    expect(p.entries()).toHaveLength(first.length);
    expect(existsSync(join(p.dir, '.payctl'))).toBe(false); // nothing written into the project

    // the remembered result is what is shown (proof that the file was not checked again)
    const entry = join(p.dir, 'cache', 'payctl', 'playbook-lint', p.entries()[0]!);
    const remembered = JSON.parse(readFileSync(entry, 'utf8'));
    writeFileSync(entry, JSON.stringify({ ...remembered, title: 'from the cache' }));
    expect(list(p).some((r) => r.title === 'from the cache')).toBe(true);

    // a broken playbook is marked invalid at once
    appendFileSync(join(p.dir, 'playbooks', 'processor-outage.yaml'), 'steps: [\n');
    const broken = list(p).find((r) => r.file.endsWith('processor-outage.yaml'))!;
    expect(broken).toMatchObject({ id: null, valid: false });

    // a message template changed: every playbook is checked again (new entries)
    const before = p.entries().length;
    const messages = join(p.dir, 'templates', 'messages');
    appendFileSync(join(messages, readdirSync(messages)[0]!), '\n# edited\n');
    expect(list(p).some((r) => r.title === 'from the cache')).toBe(false);
    expect(p.entries().length).toBeGreaterThan(before);
  });
});

/**
 * Text from servers never reaches the terminal or postmortem.md raw (issue 10,
 * item 9): escape sequences and control characters in component names,
 * statuses, incident names and error bodies are removed or shown as \xNN;
 * only payctl's own colour is emitted, and none with NO_COLOR.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanText } from '../../src/control-chars.js';
import { createOutput } from '../../src/output.js';
import { TimelineWriter } from '../../src/timeline/writer.js';
import { Capture, runCliAsync, sendJson, sendText, startServer, tempProject, type TestServer } from './helpers.js';

const ESC = '\x1b';
const hostile = (s: string) => `${ESC}[2J${ESC}]0;pwned\x07${s}\r`;
/** Every ESC in the text starts an SGR (colour) sequence. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (server text is cleaned of them)
const onlyColour = (t: string) => t.replace(/\x1b\[[0-9;]*m/g, '').includes(ESC) === false;

describe('cleanText', () => {
  it('removes CSI, OSC and 8-bit sequences, shows other controls, keeps SGR only when asked', () => {
    expect(cleanText(hostile('Card payments'))).toBe('Card payments');
    expect(cleanText('a\x07b\x08c\x9b2Jd')).toBe('a\\x07b\\x08cd');
    expect(cleanText('line1\nline2', { multiline: true })).toBe('line1\nline2');
    expect(cleanText('line1\r\nline2')).toBe('line1 line2');
    expect(cleanText(`${ESC}[31mred${ESC}[39m ${ESC}[2J`, { keepStyle: true })).toBe(`${ESC}[31mred${ESC}[39m `);
    expect(cleanText(`${ESC}[31mred${ESC}[39m`)).toBe('red');
  });

  it('output.ts: lines, progress and warnings are clean; with colour only SGR remains', () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const out = createOutput({ stdout, stderr }, { NO_COLOR: '1' }, false);
    out.line(hostile('stripe: major_outage'));
    out.info(hostile('  step progress'));
    out.warn(hostile('odd'));
    expect(stdout.text + stderr.text).not.toContain(ESC);
    expect(stdout.text + stderr.text).not.toContain('\r');
    const tty = Object.assign(new Capture(), { isTTY: true });
    const coloured = createOutput({ stdout: tty, stderr: tty }, { FORCE_COLOR: '1' }, false);
    coloured.line(coloured.color.red(hostile('down')));
    expect(tty.text).toContain(`${ESC}[31m`);
    expect(onlyColour(tty.text)).toBe(true);
  });
});

describe('the built payctl against a hostile status page', () => {
  let srv: TestServer;
  afterEach(() => srv?.close());

  const summary = {
    status: { indicator: hostile('major'), description: 'x' },
    components: [{ id: 'c1', name: hostile('Card payments'), status: hostile('major_outage'), group: false, group_id: null }],
    incidents: [{ name: hostile('Card payments failing'), status: 'investigating', created_at: '2026-01-01T00:00:00Z' }],
    scheduled_maintenances: [],
  };

  it('check prints no escape sequence (NO_COLOR) and only colour with FORCE_COLOR', async () => {
    srv = await startServer({ '/api/v2/summary.json': (_q, res) => sendJson(res, 200, summary) });
    const dir = tempProject(`providers:\n  stripe:\n    kind: processor\n    statuspage: ${srv.url}\n`);
    const plain = await runCliAsync(['check'], { cwd: dir });
    expect(plain.code).toBe(4);
    expect(plain.stdout).toContain('Card payments failing (investigating)');
    expect(plain.stdout + plain.stderr).not.toContain(ESC);
    expect(plain.stdout + plain.stderr).not.toContain('\x07');
    expect(plain.stdout + plain.stderr).not.toContain('\r');
    const coloured = await runCliAsync(['check'], { cwd: dir, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(coloured.stdout).toContain(`${ESC}[`);
    expect(onlyColour(coloured.stdout + coloured.stderr)).toBe(true);
  });

  it('an error body with escapes: check and the error message are clean', async () => {
    srv = await startServer({ '/api/v2/summary.json': (_q, res) => sendText(res, 400, hostile('bad request')) });
    const dir = tempProject(`providers:\n  stripe:\n    kind: processor\n    statuspage: ${srv.url}\n`);
    const r = await runCliAsync(['check'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('bad request');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (server text is cleaned of them)
    expect(r.stdout + r.stderr).not.toMatch(/[\x1b\x07\r]/);
    const p = await runCliAsync(['providers'], { cwd: dir });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (server text is cleaned of them)
    expect(p.stdout + p.stderr).not.toMatch(/[\x1b\x07\r]/);
  });

  it('postmortem.md and incident show carry no control characters from a recorded status check', async () => {
    const dir = tempProject('providers:\n  stripe:\n    kind: processor\n');
    const id = '20260101-000000-ctl0';
    const w = new TimelineWriter(join(dir, '.payctl', 'incidents', id, 'timeline.jsonl'), { actor: 'test' });
    await w.append({
      type: 'incident_opened',
      data: { id, title: hostile('Stripe down'), severity: 'sev1', dry_run: false, source: 'test' },
    });
    await w.append({
      type: 'step_started',
      step: 'check',
      data: { step_type: 'check_status', title: 'Check', attempt: 1, idempotency_key: 'k' },
    });
    await w.append({
      type: 'step_completed',
      step: 'check',
      data: {
        step_type: 'check_status',
        outcome: 'ok',
        attempt: 1,
        duration_ms: 1,
        result: {
          provider: 'stripe',
          status: 'major_outage',
          indicator: 'major',
          components: [{ name: hostile('Card payments'), status: 'major_outage' }],
          incidents: [{ name: hostile('Card payments failing'), status: 'investigating', created_at: new Date().toISOString() }],
        },
      },
    });
    await w.append({ type: 'note_added', data: { text: hostile('note from a pasted log') } } as never);
    const pm = await runCliAsync(['postmortem', id], { cwd: dir });
    expect(pm.code, pm.stderr).toBe(0);
    const file = join(dir, '.payctl', 'incidents', id, 'postmortem.md');
    expect(existsSync(file)).toBe(true);
    const md = readFileSync(file, 'utf8');
    expect(md).toContain('Stripe down');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (server text is cleaned of them)
    expect(md).not.toMatch(/[\x1b\x07\r]/);
    const show = await runCliAsync(['incident', 'show', id], { cwd: dir });
    expect(show.stdout).toContain('Stripe down');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (server text is cleaned of them)
    expect(show.stdout + show.stderr).not.toMatch(/[\x1b\x07\r]/);
  });
});

/**
 * A pseudo-terminal that reports 0 columns (some CI and container ptys): the
 * run must not loop writing cursor-up/erase sequences (ora divided by the width).
 * node-pty itself turns cols 0 into 80, so the pty is set to 0 columns with stty.
 */
import { describe, expect, it } from 'vitest';
import { openTerminal } from '../helpers/terminal.js';
import { BIN, recordingServer, tempProject } from './helpers.js';

const PLAYBOOK = `
id: slow
title: Slow call
steps:
  - { id: call, type: http, title: Call the slow service, url: "URL/slow" }
  - { id: end, type: set_status, title: End, status: resolved }
`;

describe('a terminal 0 columns wide', () => {
  it('runs a step with a spinner-worthy wait and finishes, with a bounded number of cursor moves', async () => {
    const srv = await recordingServer(() => ({ delayMs: 1500 }));
    try {
      const dir = tempProject({ slow: PLAYBOOK.replace('URL', srv.url) });
      const t = openTerminal(
        '/bin/sh',
        ['-c', 'stty cols 0 rows 0 && exec "$0" "$@"', process.execPath, BIN, 'incident', 'start', '-p', 'slow', '--yes'],
        { cwd: dir, cols: 100, rows: 30 },
      );
      const exited = await t.exitedWithin(20_000);
      const screen = t.screen();
      const cursorUps = screen.split('\x1b[1A').length - 1;
      expect({ exited, cursorUps, bytes: Math.min(screen.length, 100_000) > 20_000 }).toEqual({ exited: 0, cursorUps: 0, bytes: false });
      expect(screen).toContain('Call the slow service');
    } finally {
      await srv.close();
    }
  }, 30_000);
});

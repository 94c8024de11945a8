import { describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import { systemClock } from '../../src/clock.js';
import { hasStackTrace, runCliAsync } from '../helpers/run-cli.js';
import { tempProject } from './helpers.js';

describe('wait durations', () => {
  it('a sleep removes its abort listener when it ends (long waits do not pile them up)', async () => {
    const ac = new AbortController();
    for (let i = 0; i < 20; i++) await systemClock.sleep(1, ac.signal);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('an answer that is not a duration stops the run with exit 2 naming the field, instead of waiting forever', async () => {
    const dir = tempProject({
      w: [
        'id: w',
        'title: Wait on an answer',
        'inputs:',
        '  recovery_timeout: { prompt: How long?, type: text, default: 1m }', // text: only the wait step can catch it
        'steps:',
        '  - id: wait_recovery',
        '    title: Wait',
        '    type: wait',
        '    until: incident.status == "resolved"',
        '    interval: 1s',
        '    timeout: "{{ inputs.recovery_timeout }}"',
        '',
      ].join('\n'),
    });
    const r = await runCliAsync(['incident', 'start', '--playbook', 'w', '--var', 'recovery_timeout=ten minutes', '--yes'], {
      cwd: dir,
      timeout: 20_000,
    });
    expect(r.stderr).toContain('step wait_recovery: timeout "ten minutes" is not a duration');
    expect(r.code).toBe(2);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('any step timeout rendered from an answer is checked the same way (exit 2 before the step acts)', async () => {
    const dir = tempProject({
      h: [
        'id: h',
        'title: Timeout from an answer',
        'inputs:',
        '  limit: { prompt: Timeout?, type: text, default: 10s }',
        'steps:',
        '  - id: call',
        '    title: Call',
        '    type: http',
        '    url: http://127.0.0.1:9/never',
        '    timeout: "{{ inputs.limit }}"',
        '',
      ].join('\n'),
    });
    const r = await runCliAsync(['incident', 'start', '--playbook', 'h', '--var', 'limit=soon', '--yes'], { cwd: dir, timeout: 20_000 });
    expect(r.stderr).toContain('step call: timeout "soon" is not a duration');
    expect(r.code).toBe(2);
  });
});

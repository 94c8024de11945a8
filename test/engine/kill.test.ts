/**
 * The kill test: the built payctl walks a playbook whose steps POST to a local
 * server; it is SIGKILLed at a random moment, then resumed with --yes from
 * another working directory (another checkout of the project, as on a second
 * machine). Repeated 30 times on each store (a directory store, and a
 * PostgreSQL database): no event that was shown is lost, the hash chain
 * verifies, and every write step reached the server with one idempotency key
 * only.
 *
 * The kill moments come from a seeded generator: the test prints its seed,
 * and PAYCTL_KILL_SEED=<seed> replays the same moments to reproduce a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import type { TimelineEvent } from '../../src/timeline/events.js';
import { describeWithPostgres, freshDatabase } from '../helpers/postgres.js';
import { BIN, recordingServer, runCliAsync, tempProject } from './helpers.js';

const ITERATIONS = 30;
const PARALLEL = 3;
const POSTS = 4;
const SEED = process.env.PAYCTL_KILL_SEED ? Number(process.env.PAYCTL_KILL_SEED) : Math.floor(Math.random() * 2 ** 32);

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Where the incidents are kept: how payctl is pointed at it, and how the test reads it. */
interface KillStore {
  /** The project the runs start in and the one they are resumed from (another copy of it), and their environment. */
  setup(project: string): Promise<{ elsewhere: string; env: Record<string, string> }>;
  /** The incident ids there now. */
  ids(): Promise<string[]>;
  /** The incident, not among `before`, that the process `pid` opened (its run_started names the pid). */
  openedBy(pid: number, before: Set<string>): Promise<string | undefined>;
  /** An incident's events as stored. */
  events(id: string): Promise<TimelineEvent[]>;
  close(): Promise<void>;
}

function directoryStore(): KillStore {
  let store = '';
  return {
    async setup(project) {
      store = join(project, '.payctl/incidents');
      const elsewhere = mkdtempSync(join(tmpdir(), 'payctl-kill-elsewhere-'));
      cpSync(project, elsewhere, { recursive: true });
      // the same store, named from the other directory
      writeFileSync(join(elsewhere, 'payctl.config.yaml'), `store: ${JSON.stringify(store)}\n`);
      return { elsewhere, env: {} };
    },
    async ids() {
      return existsSync(store) ? readdirSync(store).filter((d) => !d.startsWith('.')) : [];
    },
    async openedBy(pid, before) {
      return (await this.ids()).find(
        (d) =>
          !before.has(d) &&
          !!statSync(join(store, d, 'timeline.jsonl'), { throwIfNoEntry: false })?.size &&
          readFileSync(join(store, d, 'timeline.jsonl'), 'utf8').includes(`"pid":${pid},`),
      );
    },
    async events(id) {
      return readFileSync(join(store, id, 'timeline.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as TimelineEvent);
    },
    async close() {},
  };
}

function postgresStore(): KillStore {
  let db: pg.Pool;
  return {
    async setup(project) {
      const url = await freshDatabase();
      db = new pg.Pool({ connectionString: url, max: PARALLEL }); // iterations query it at once
      const elsewhere = mkdtempSync(join(tmpdir(), 'payctl-kill-elsewhere-'));
      cpSync(project, elsewhere, { recursive: true });
      return { elsewhere, env: { PAYCTL_STORE: url } };
    },
    async ids() {
      return (await db.query<{ id: string }>('SELECT id FROM payctl_incidents')).rows.map((r) => r.id);
    },
    async openedBy(pid, before) {
      const r = await db.query<{ id: string }>(
        `SELECT DISTINCT incident_id AS id FROM payctl_events WHERE line LIKE '%"type":"run_started"%' AND line LIKE $1`,
        [`%"pid":${pid},%`],
      );
      return r.rows.map((x) => x.id).find((id) => !before.has(id));
    },
    async events(id) {
      const r = await db.query<{ line: string }>('SELECT line FROM payctl_events WHERE incident_id = $1 ORDER BY seq', [id]);
      return r.rows.map((x) => JSON.parse(x.line) as TimelineEvent);
    },
    async close() {
      await db?.end();
    },
  };
}

function killScenario(name: string, store: KillStore): void {
  /** Each iteration's kill delay, drawn in order before any run starts (iterations run in parallel). */
  const random = seeded(SEED);
  const KILL_AT = Array.from({ length: ITERATIONS }, () => random());

  let srv: Awaited<ReturnType<typeof recordingServer>>;
  let dir: string;
  let elsewhere: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    srv = await recordingServer(() => ({ status: 201, delayMs: 15 }));
    const steps = Array.from(
      { length: POSTS },
      (_, i) =>
        `  - { id: post-${i}, type: http, title: Post ${i}, method: POST, url: "${srv.url}/w/{{ incident.id }}/${i}", body: { n: ${i} } }`,
    ).join('\n');
    dir = tempProject({
      kill: `id: kill\ntitle: Kill\nsteps:\n${steps}\n  - { id: done, type: set_status, title: Done, status: resolved }\n`,
    });
    ({ elsewhere, env } = await store.setup(dir));
  });
  afterAll(async () => {
    await srv?.close();
    await store.close();
  });

  /** Kill at a random moment: early (from spawn) for some runs, mostly at a random point after the incident opened. */
  async function startAndKill(early: boolean, at: number): Promise<{ stdout: string; before: Set<string>; pid: number }> {
    const before = new Set(await store.ids());
    return new Promise((resolve) => {
      const p = spawn(process.execPath, [BIN, 'incident', 'start', '-p', 'kill', '--yes'], {
        cwd: dir,
        env: { PATH: process.env.PATH, PAYCTL_ACTOR: 'k', CI: '1', ...env },
      });
      let stdout = '';
      let t: ReturnType<typeof setTimeout> | undefined;
      const arm = (ms: number) => {
        if (!t) t = setTimeout(() => p.kill('SIGKILL'), ms);
      };
      if (early) arm(at * 400);
      p.stdout.on('data', (d) => {
        stdout += d;
        if (/incident \S+:/.test(stdout)) arm(at * POSTS * 40);
      });
      p.on('close', () => {
        clearTimeout(t);
        resolve({ stdout, before, pid: p.pid! });
      });
    });
  }

  async function iteration(n: number): Promise<string> {
    const { stdout, before, pid } = await startAndKill(n % 5 === 0, KILL_AT[n]!);
    const printedId = /incident (\S+):/.exec(stdout)?.[1];
    // iterations run in parallel: the killed process's incident is the one its run_started names
    const id = printedId ?? (await store.openedBy(pid, before));
    if (!id) {
      expect(printedId).toBeUndefined();
      return 'killed before the incident was opened';
    }
    const printedSteps = [...stdout.matchAll(/✔ Post (\d+)/g)].map((m) => `post-${m[1]}`);
    // resumed from the other working directory
    const resumed = await runCliAsync(elsewhere, ['incident', 'resume', id, '--yes', '--json'], env);
    if (resumed.code === 2 && /does not begin with incident_opened/.test(resumed.stderr)) {
      expect(printedId).toBeUndefined(); // nothing was shown yet
      return 'killed while opening';
    }
    expect(resumed.code, resumed.stderr).toBe(0);
    const verify = await runCliAsync(dir, ['incident', 'verify', id], env);
    expect(verify.code, verify.stderr).toBe(0);
    const events = await store.events(id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const s of printedSteps)
      expect(
        events.some((e) => e.type === 'step_completed' && e.step === s && e.data.outcome === 'ok'),
        s,
      ).toBe(true);
    expect(events.at(-1)!.type).toBe('run_finished');
    for (let i = 0; i < POSTS; i++) {
      const reqs = srv.requests.filter((r) => r.url === `/w/${id}/${i}`);
      expect(reqs.length, `post-${i} reached the server`).toBeGreaterThanOrEqual(1);
      expect(new Set(reqs.map((r) => r.headers['idempotency-key']))).toEqual(new Set([`payctl-${id}-post-${i}`]));
    }
    return srv.requests.filter((r) => r.url.startsWith(`/w/${id}/`)).length > POSTS
      ? 'resumed; a write was retried with the same key'
      : 'resumed';
  }

  it(`${name}: survives SIGKILL at a random moment, ${ITERATIONS} times, resumed from another working directory`, async () => {
    if (!Number.isInteger(SEED) || SEED < 0)
      throw new Error(`PAYCTL_KILL_SEED="${process.env.PAYCTL_KILL_SEED}" is not a seed (a whole number the kill test printed)`);
    console.log(`kill test seed ${SEED} (to replay these kill moments: PAYCTL_KILL_SEED=${SEED} npx vitest run test/engine/kill.test.ts)`);
    const outcomes: string[] = [];
    for (let i = 0; i < ITERATIONS; i += PARALLEL) {
      outcomes.push(...(await Promise.all(Array.from({ length: Math.min(PARALLEL, ITERATIONS - i) }, (_, k) => iteration(i + k)))));
    }
    expect(outcomes).toHaveLength(ITERATIONS);
    // the kills must land at different points, including after the incident opened
    expect(outcomes.filter((o) => o.startsWith('resumed')).length).toBeGreaterThan(ITERATIONS / 2);
    console.log(
      `${name}: ` +
        Object.entries(outcomes.reduce<Record<string, number>>((m, o) => ((m[o] = (m[o] ?? 0) + 1), m), {}))
          .map(([k, v]) => `${v}× ${k}`)
          .join('; '),
    );
  }, 240_000);
}

describe('the kill test: directory store', () => killScenario('directory', directoryStore()));
describeWithPostgres('the kill test: PostgreSQL store', () => killScenario('postgres', postgresStore()));

// Timing whole processes side by side: interleaved runs, medians, ratios.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export function timeOnce(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  const ms = performance.now() - t0;
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return ms;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Run each case `runs` times, interleaved (a, b, c, a, b, c, …) so machine noise
 * hits all of them alike; return the median of each.
 * cases: [{ name, run: () => ms }]
 */
export function interleaved(cases, runs = 15) {
  const times = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (const c of cases) c.run(); // warm-up (file cache)
  for (let i = 0; i < runs; i++) for (const c of cases) times[c.name].push(c.run());
  return Object.fromEntries(cases.map((c) => [c.name, median(times[c.name])]));
}

/** `checked`: the rows the limit applies to (default: every row but the baseline); other rows are for reference. */
export function printRatio(title, medians, baseline, limit, checked) {
  const base = medians[baseline];
  console.log(`\n${title}`);
  for (const [name, ms] of Object.entries(medians)) {
    const ratio = ms / base;
    const judged = limit !== undefined && name !== baseline && (!checked || checked.includes(name));
    const verdict = !judged ? '' : ratio <= limit ? `  ok (limit ${limit}x)` : `  OVER (limit ${limit}x)`;
    console.log(`  ${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${ratio.toFixed(2)}x${verdict}`);
  }
}

const benchRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * The PostgreSQL server a bench's PostgreSQL rows run against: PAYCTL_TEST_PG_URL,
 * or, when initdb is on this machine, the bench `script` (its import.meta.url) is
 * run again inside a throwaway server (scripts/with-postgres.sh) and this process
 * exits with its status. Without either: undefined, and the rows are skipped.
 */
export function benchPostgres(script) {
  if (!process.env.PAYCTL_TEST_PG_URL && !process.env.PAYCTL_BENCH_NO_PG) {
    const initdb = spawnSync('bash', ['-c', 'command -v initdb || ls /usr/lib/postgresql/*/bin/initdb'], { stdio: 'ignore' });
    if (initdb.status === 0) {
      const r = spawnSync(join(benchRoot, 'scripts/with-postgres.sh'), [process.execPath, fileURLToPath(script)], { stdio: 'inherit' });
      process.exit(r.status ?? 1);
    }
    console.log('(no PostgreSQL server here: the PostgreSQL rows are skipped)');
    process.env.PAYCTL_BENCH_NO_PG = '1';
  }
  return process.env.PAYCTL_BENCH_NO_PG ? undefined : process.env.PAYCTL_TEST_PG_URL;
}

/** `script` run as an ES module in a node process of its own: what it printed, parsed as JSON. */
export function inner(script) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim());
}

/** pg's module path, for inner scripts. */
export const PG_MODULE = JSON.stringify(join(benchRoot, 'node_modules', 'pg', 'lib', 'index.js'));

/** A new database `name` on the server at `serverUrl`, migrated by the built payctl: its URL. */
export function freshBenchDatabase(serverUrl, name) {
  inner(`
    const pg = (await import(${PG_MODULE})).default;
    const c = new pg.Client({ connectionString: ${JSON.stringify(serverUrl)} });
    await c.connect(); await c.query('DROP DATABASE IF EXISTS ${name} WITH (FORCE)'); await c.query('CREATE DATABASE ${name}'); await c.end();
    console.log('null');`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const migrateModule = JSON.stringify(join(benchRoot, 'dist', 'store', 'pg-client.js'));
  inner(`const { migrate } = await import(${migrateModule}); await migrate(${JSON.stringify(url)}, 'bench'); console.log('null');`);
  return url;
}

/**
 * Delay benches (a change made by one process, seen by another): the delays
 * measured on each store and judged by their p99.
 */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The p-th percentile of xs (nearest rank). */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const payctlBin = join(benchRoot, 'bin/payctl.cjs');

/** The built payctl, run to the end; its stdout, or an error when it did not exit 0. */
export function payctlOk(args, cwd, env) {
  const r = spawnSync(process.execPath, [payctlBin, ...args], { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`payctl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/**
 * `measure(cwd, env, store)` on a directory store in `dir`, then, given a
 * PostgreSQL server URL, on a PostgreSQL store there (initialised with payctl
 * store init): rows of [store name, delays in ms].
 */
export async function delaysOnEachStore(dir, env, pgUrl, measure) {
  const { DirectoryStore } = await import(join(benchRoot, 'dist/store/directory.js'));
  const rows = [['directory (fs.watch + poll)', await measure(dir, env, new DirectoryStore(join(dir, '.payctl', 'incidents')))]];
  if (pgUrl) {
    const pgEnv = { ...env, PAYCTL_STORE: 'env:PAYCTL_DATABASE_URL', PAYCTL_DATABASE_URL: pgUrl };
    payctlOk(['store', 'init'], dir, pgEnv);
    const { openPostgresStore } = await import(join(benchRoot, 'dist/store/postgres.js'));
    const store = await openPostgresStore({ kind: 'postgres', url: pgUrl, localDir: '', from: 'bench' });
    rows.push(['postgres (LISTEN/NOTIFY)', await measure(dir, pgEnv, store)]);
    await store.close();
  }
  return rows;
}

/** Prints each row's p50, median, p99 and max against a p99 target, and the directory store's poll interval for reference; whether all are within it. */
export async function reportDelays(title, rows, targetMs) {
  const { POLL_MS } = await import(join(benchRoot, 'dist/store/directory-watch.js'));
  const ms = (x) => String(Math.round(x)).padStart(4);
  console.log(`\n${title} (target p99 < ${targetMs} ms)`);
  let ok = true;
  for (const [name, ds] of rows) {
    const p99 = percentile(ds, 99);
    ok &&= p99 < targetMs;
    console.log(
      `  ${name.padEnd(30)} p50 ${ms(percentile(ds, 50))} ms  median ${ms(median(ds))} ms  p99 ${ms(p99)} ms  max ${ms(Math.max(...ds))} ms  ${p99 < targetMs ? 'ok' : 'OVER'}`,
    );
  }
  console.log(`  (reference: the directory store's poll interval, the delay's ceiling should fs.watch miss a change: ${POLL_MS} ms)`);
  return ok;
}

/**
 * The commander program. Every action lazy-imports its command module, so
 * `payctl --help` loads nothing but commander. Only this file prints errors.
 */
import { Command, CommanderError, Option } from 'commander';
import { asStorageError, ExitCode, isPayctlError, messageOf } from './errors.js';
import type { Context, ContextOptions } from './context.js';
import { packageVersion } from './package-root.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  an operation or step failed
  2  invalid input (usage, config, playbook)
  3  aborted, or approval missing (no person to ask and no --yes)
  4  unhealthy (a check found a degraded provider)

Docs: README.md and docs/ (config, playbooks, incidents, providers, sandbox, postmortem, store, serve)`;

interface CommonFlags {
  json?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

/** Build the context for an action: global flags from the root, the rest from the command. */
async function contextFor(cmd: Command, flags: CommonFlags, extra: Partial<ContextOptions> = {}): Promise<Context> {
  const { createContext } = await import('./context.js');
  const { cachedConfigLoader } = await import('./config/cache.js');
  const root = cmd.optsWithGlobals() as { config?: string };
  const o: ContextOptions = { configPath: root.config, json: flags.json, yes: flags.yes, dryRun: flags.dryRun, ...extra };
  // the parsed config is cached while the file is unchanged: most runs load neither YAML nor zod
  return createContext(o, await cachedConfigLoader(o.cwd ?? process.cwd(), o.configPath, o.env ?? process.env));
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const severityOption = () => new Option('--severity <sev>', 'incident severity').choices(['sev1', 'sev2', 'sev3', 'sev4']);

function addInit(program: Command): void {
  program
    .command('init')
    .description('write a commented payctl.config.yaml, playbooks/ and templates/ here (never overwrites)')
    .option('--json', 'print what was written as JSON')
    .action(async (opts, cmd) => (await import('./commands/init.js')).init(await contextFor(cmd, opts)));
}

function addPlaybook(program: Command): void {
  const playbook = program.command('playbook').description('list, show and validate playbooks');
  playbook
    .command('list')
    .description('list playbooks (id, title, severity, steps, file)')
    .option('--json', 'print JSON')
    .action(async (opts, cmd) => (await import('./commands/playbook.js')).list(await contextFor(cmd, opts)));
  playbook
    .command('show <id>')
    .description('outline a playbook: inputs, then each step with type, condition and gate')
    .option('--json', 'print the parsed playbook as JSON')
    .action(async (id, opts, cmd) => (await import('./commands/playbook.js')).show(await contextFor(cmd, opts), id));
  playbook
    .command('validate [files...]')
    .description('check playbooks (default: every playbook in playbooks/); prints file:line:col for each problem')
    .option('--json', 'print problems as JSON')
    .action(async (files, opts, cmd) => (await import('./commands/playbook.js')).validate(await contextFor(cmd, opts), files));
}

function addIncident(program: Command): void {
  const incident = program.command('incident').description('run and inspect incidents');
  incident
    .command('start')
    .description('open an incident and walk a playbook')
    .option('-p, --playbook <id>', 'playbook id (asked when omitted)')
    .option('--title <title>', 'incident title')
    .addOption(severityOption())
    .option('--var <name=value>', 'set a playbook input (repeatable)', collect, [])
    .option('--answers <file>', 'YAML file of input answers')
    .option('--detected-at <time>', 'when the problem was detected (ISO time), if earlier than now')
    .option('-y, --yes', 'approve every gate without asking (unattended)')
    .option('--dry-run', 'show what would happen; perform only reads')
    .option('--json', 'print the result as JSON')
    .action(async (opts, cmd) => (await import('./commands/incident.js')).start(await contextFor(cmd, opts), opts));
  incident
    .command('resume [id]')
    .description('continue an incident at its first unfinished step (no id: the only one waiting for a resume)')
    .option('-y, --yes', 'approve every gate; retry interrupted steps with the same idempotency key')
    .option('--json', 'print the result as JSON')
    .action(async (id, opts, cmd) => (await import('./commands/incident.js')).resume(await contextFor(cmd, opts), id, opts));
  incident
    .command('list')
    .description('list incidents')
    .addOption(
      new Option('--status <status>', 'only open, waiting (for a resume), resolved or cancelled incidents').choices([
        'open',
        'waiting',
        'resolved',
        'cancelled',
      ]),
    )
    .option('--json', 'print JSON (with --watch: one listing per line)')
    .option('--watch', 'print the list again whenever an incident is created or changes, until Ctrl-C')
    .option('--limit <n>', `the newest n incidents (0: every one)`, '50')
    .action(async (opts, cmd) => {
      // incident-list.js alone: listing loads none of the engine
      const { listIncidents, watchIncidentList } = await import('./commands/incident-list.js');
      await (opts.watch ? watchIncidentList : listIncidents)(await contextFor(cmd, opts), opts);
    });
  incident
    .command('show <id>')
    .description('status, severity, playbook, milestones and the timeline')
    .option('--json', 'print JSON')
    .action(async (id, opts, cmd) => (await import('./commands/incident.js')).show(await contextFor(cmd, opts), id));
  incident
    .command('follow <id>')
    .description("the incident's timeline, then each new event as it happens (any machine), until Ctrl-C or it is resolved")
    .option('--json', 'one JSON object per line per event')
    .action(async (id, opts, cmd) => (await import('./commands/incident-follow.js')).followIncident(await contextFor(cmd, opts), id));
  incident
    .command('note <id> <text>')
    .description('add a note to the timeline')
    .action(async (id, text, opts, cmd) => (await import('./commands/incident.js')).note(await contextFor(cmd, opts), id, text));
  incident
    .command('set <id> <assignments...>')
    .description('change an input of an incident (name=value), recorded in its timeline; a resume uses the new value')
    .action(async (id, assignments, opts, cmd) =>
      (await import('./commands/incident-set.js')).setInputs(await contextFor(cmd, opts), id, assignments),
    );
  incident
    .command('status <id> <status>')
    .description('set the status: investigating, identified, monitoring, resolved')
    .action(async (id, status, opts, cmd) => (await import('./commands/incident.js')).status(await contextFor(cmd, opts), id, status));
  incident
    .command('resolve <id>')
    .description('mark the incident resolved')
    .action(async (id, opts, cmd) => (await import('./commands/incident.js')).resolve(await contextFor(cmd, opts), id));
  incident
    .command('cancel <id>')
    .description('close an incident opened by mistake: recorded as cancelled, left out of the scorecard and metrics')
    .requiredOption('--reason <text>', 'why it is cancelled, for the timeline')
    .option('--json', 'print JSON')
    .action(async (id, opts, cmd) => (await import('./commands/incident-cancel.js')).cancelIncident(await contextFor(cmd, opts), id, opts));
  incident
    .command('assign <id>')
    .description("give a role (commander, comms, processor, scribe, or a playbook's own) to a person, recorded in the timeline")
    .requiredOption('--role <role>', 'the role: commander, comms, processor, scribe, or one the playbook declares')
    .requiredOption('--to <person>', 'who takes it (the name they run payctl as)')
    .option('--json', 'print JSON')
    .action(async (id, opts, cmd) => (await import('./commands/incident-roles.js')).assignRole(await contextFor(cmd, opts), id, opts));
  incident
    .command('handoff <id>')
    .description('pass the commander role to another person, with a note, recorded in the timeline')
    .requiredOption('--to <person>', 'the new commander')
    .option('--note <text>', 'where things stand, for the new commander')
    .option('--json', 'print JSON')
    .action(async (id, opts, cmd) => (await import('./commands/incident-roles.js')).handoff(await contextFor(cmd, opts), id, opts));
  incident
    .command('approve <id>')
    .description("approve a step that waits for a second person's approval (not the person running it); the run goes on")
    .option('--step <id>', 'the waiting step (default: the only one waiting)')
    .option('--json', 'print JSON')
    .action(async (id, opts, cmd) => (await import('./commands/incident-approve.js')).approveStep(await contextFor(cmd, opts), id, opts));
  incident
    .command('deny <id>')
    .description("decline a step that waits for a second person's approval: the run stops, the step is not run")
    .option('--step <id>', 'the waiting step (default: the only one waiting)')
    .requiredOption('--reason <text>', 'why, for the timeline and the runner')
    .option('--json', 'print JSON')
    .action(async (id, opts, cmd) => (await import('./commands/incident-approve.js')).denyStep(await contextFor(cmd, opts), id, opts));
  incident
    .command('verify <id>')
    .description("check the timeline's hash chain; names the first bad line")
    .option('--json', 'print JSON')
    .action(async (id, opts, cmd) => (await import('./commands/incident.js')).verify(await contextFor(cmd, opts), id));
  incident
    .command('export <id>')
    .description('the raw timeline as one JSON document or a Markdown log')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'md']).default('md'))
    .option('--out <file>', 'write to a file instead of stdout (- for stdout; never inside the incident store)')
    .option('--force', 'overwrite the --out file if it exists')
    .action(async (id, opts, cmd) => (await import('./commands/export.js')).exportIncident(await contextFor(cmd, opts), id, opts));
}

function addCheck(program: Command): void {
  program
    .command('check')
    .description("each provider's status and the success rate; exit 4 when anything is unhealthy")
    .option('--provider <name>', 'check one provider')
    .option('--json', 'print JSON')
    .option('--watch', 're-check until interrupted, printing changes')
    .option('--interval <duration>', 'with --watch: time between checks', '30s')
    .option('--start-incident', 'open an incident with the playbook whose triggers match')
    .option('-y, --yes', 'with --start-incident: run unattended')
    .action(async (opts, cmd) => (await import('./commands/check.js')).check(await contextFor(cmd, opts), opts));
}

function addMaintenance(program: Command): void {
  program
    .command('maintenance')
    .description('upcoming and active maintenance windows of all providers')
    .option('--days <n>', 'look ahead this many days', '14')
    .option('--json', 'print JSON')
    .action(async (opts, cmd) => (await import('./commands/maintenance.js')).maintenance(await contextFor(cmd, opts), opts));
}

function addProviders(program: Command): void {
  const providers = program
    .command('providers')
    .description('configured providers, their role, where traffic goes now, and their status')
    .option('--json', 'print JSON')
    .action(async (opts, cmd) => (await import('./commands/providers.js')).providers(await contextFor(cmd, opts)));
  providers
    .command('report')
    .description('a scorecard per provider across recorded incidents')
    .option('--since <duration>', 'only incidents opened within this period', '90d')
    .option('--include-drills', 'count drill and demo incidents too')
    .option('--json', 'print JSON')
    // `providers` has its own --json, which commander gives to the parent: take it from there too
    .action(async (opts, cmd) => {
      const o = { ...opts, json: opts.json ?? (cmd.parent?.opts() as CommonFlags | undefined)?.json };
      return (await import('./commands/report.js')).report(await contextFor(cmd, o), o);
    });
}

function addFailover(program: Command): void {
  program
    .command('failover')
    .description('move traffic to a provider, verified, recorded in an incident')
    .requiredOption('--to <provider>', 'provider to move traffic to')
    .option('--from <provider>', 'provider traffic moves away from (default: the current one)')
    .option('--reason <text>', 'why, for the timeline')
    .option('--incident <id>', 'join this incident instead of opening one')
    .option('--share <percent>', 'percent of traffic to move (1-100, default 100); the rest stays on the current provider')
    .option('--force', 'switch even when the target status page shows major_outage')
    .option('-y, --yes', 'do not ask for approval')
    .option('--dry-run', 'show the switch without making it')
    .option('--json', 'print one JSON object')
    .action(async (opts, cmd) => (await import('./commands/failover.js')).failover(await contextFor(cmd, opts), opts));
}

function addFailback(program: Command): void {
  program
    .command('failback')
    .description('move traffic back to the primary provider')
    .option('--incident <id>', 'the incident to record it in (default: the latest open one with a failover)')
    .option('--canary <stages>', "move back in stages of percent, e.g. 10,25,50,100, each held on the primary's success rate")
    .option('--hold <duration>', 'with --canary: how long each stage holds (default 2m)')
    .option('--min-success-rate <rate>', "with --canary: the primary's success rate each stage must keep (default thresholds.success_rate)")
    .option('--min-attempts <n>', 'with --canary: payments the primary must take in a stage before its rate counts (default 100)')
    .option('--reason <text>', 'why, for the timeline')
    .option('-y, --yes', 'do not ask for approval')
    .option('--dry-run', 'show the switch without making it')
    .option('--json', 'print one JSON object')
    .action(async (opts, cmd) => (await import('./commands/failover.js')).failback(await contextFor(cmd, opts), opts));
}

function addDrill(program: Command): void {
  program
    .command('drill <playbook>')
    .description('game day: run a playbook unattended against the sandbox with a fault and check its drill: expectations')
    .option('--fault <spec>', "fault to inject instead of the playbook's, e.g. stripe:down")
    .option('--scenario <name>', "run this one of the drill's scenarios (drill.scenarios) instead of the drill itself")
    .option('--report <file>', 'write the report (JSON) here (- for stdout; never inside the incident store)')
    .option('--force', 'overwrite the --report file if it exists')
    .option('--json', 'print the report as JSON')
    .action(async (pb, opts, cmd) => (await import('./commands/drill.js')).drill(await contextFor(cmd, opts), pb, opts));
}

function addDemo(program: Command): void {
  program
    .command('demo')
    .description('a whole outage handled against the built-in sandbox, ending in a postmortem draft')
    .option('-y, --yes', 'run unattended even on a terminal')
    .option('--json', 'print the summary as JSON')
    .action(async (opts, cmd) => (await import('./commands/demo.js')).demo(await contextFor(cmd, opts), opts));
}

function addPostmortem(program: Command): void {
  program
    .command('postmortem <id>')
    .description('write a Markdown postmortem draft from the timeline')
    .option('--template <path>', 'postmortem template (default templates/postmortem.md)')
    .option(
      '--out <file>',
      'where to write (default .payctl/incidents/<id>/postmortem.md; - for stdout; another path never inside the incident store)',
    )
    .option('--force', 'overwrite the --out file if it exists')
    .option('--json', 'print the computed data as JSON')
    .action(async (id, opts, cmd) => (await import('./commands/postmortem.js')).postmortem(await contextFor(cmd, opts), id, opts));
}

function addTemplate(program: Command): void {
  const template = program.command('template').description('preview customer and processor message templates');
  template
    .command('list')
    .description('list message templates')
    .option('--json', 'print JSON')
    .action(async (opts, cmd) => (await import('./commands/template.js')).list(await contextFor(cmd, opts)));
  template
    .command('render <name>')
    .description("render a template with an incident's data (or sample data)")
    .option('--incident <id>', "fill in from this incident (its title, times, and its answers for the template's vars)")
    .option('--var <name=value>', "set one of the template's vars (repeatable)", collect, [])
    .option('--channel <channel>', 'statuspage, email, banner, social, slack (default: all)')
    .option('--json', 'print JSON')
    .action(async (name, opts, cmd) => (await import('./commands/template.js')).render(await contextFor(cmd, opts), name, opts));
}

function addSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('run the local provider emulator (status pages, routing, PagerDuty, Slack, Statuspage, Prometheus)')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', '0')
    .option('--playbook <id>', "start with the fault (and orders_per_minute) of this playbook's drill")
    .option(
      '--scenario <name>',
      "with --playbook: that drill scenario's fault instead (drill.scenarios.<name>); alone: a playbook, as --playbook",
    )
    .option('--orders-per-minute <n>', 'simulated payments per minute over all providers (default 120)')
    .option('--write-config <file>', 'write a payctl config that points at the sandbox')
    .option('--json', 'print the address and config as JSON, then keep running')
    .action(async (opts, cmd) => (await import('./commands/sandbox.js')).sandbox(await contextFor(cmd, opts), opts));
}

function addServe(program: Command): void {
  program
    .command('serve')
    .description('a read-only web page of open and recent incidents, updated live, until Ctrl-C (binds 127.0.0.1)')
    .option('--port <n>', 'port (0 picks a free one)', '7878')
    .option('--host <address>', 'address to listen on; anything but 127.0.0.1 exposes incidents to the network (see docs/serve.md)')
    .option('--token <token>', 'require this access token (or env:NAME; default PAYCTL_SERVE_TOKEN)')
    .option('--json', 'print the address as JSON, then keep serving')
    .action(async (opts, cmd) => (await import('./commands/serve.js')).serve(await contextFor(cmd, opts), opts));
}

function addStore(program: Command): void {
  const store = program.command('store').description('the incident store: a directory, or a shared PostgreSQL database');
  store
    .command('init')
    .description("create or update a PostgreSQL store's tables (idempotent)")
    .option('--json', 'print JSON')
    .action(async (opts, cmd) => (await import('./commands/store.js')).init(await contextFor(cmd, opts), opts));
  store
    .command('status')
    .description('which store is in effect, its schema version, incidents, and any spool waiting')
    .option('--json', 'print JSON')
    .action(async (opts, cmd) => (await import('./commands/store.js')).status(await contextFor(cmd, opts), opts));
  store
    .command('push')
    .description('push events kept in the local spool (the database was unreachable) into the database')
    .option('--json', 'print JSON')
    .action(async (opts, cmd) => (await import('./commands/store.js')).push(await contextFor(cmd, opts), opts));
  store
    .command('import [dir]')
    .description('copy a directory store (default: the local one) into the PostgreSQL store; each chain verified; safe to repeat')
    .option('--json', 'print JSON')
    .action(async (dir, opts, cmd) => (await import('./commands/store.js')).importDir(await contextFor(cmd, opts), dir, opts));
}

/** The program, every command registered (their actions import their modules when run). */
export function buildProgram(): Command {
  const program = new Command('payctl');
  program
    .description('Respond to payment-gateway outages: run playbooks, fail over, notify, escalate, and learn from the timeline.')
    .version(packageVersion(), '-V, --version')
    .option('-c, --config <file>', 'config file (default: payctl.config.yaml found upward, or PAYCTL_CONFIG)')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  for (const add of [
    addInit,
    addPlaybook,
    addIncident,
    addCheck,
    addMaintenance,
    addProviders,
    addFailover,
    addFailback,
    addDrill,
    addDemo,
    addPostmortem,
    addTemplate,
    addSandbox,
    addServe,
    addStore,
  ])
    add(program);
  return program;
}

/**
 * Libraries under payctl (the proxy agents, follow-redirects under axios) log
 * through the `debug` package when DEBUG names them, and what they log (a
 * proxy URL with its password, request heads with API keys) goes straight to
 * stderr, past payctl's redaction. payctl has no debug namespace of its own
 * (its switch is PAYCTL_DEBUG), so DEBUG leaves the environment before any of
 * them loads (`debug` reads it when it is first loaded, and every command
 * loads those libraries lazily, after this). Not debug's own API
 * (debug.disable()): payctl does not depend on `debug` itself, and each library
 * may bring its own copy; all of them read this one variable.
 */
function silenceDependencyDebugLogs(env: NodeJS.ProcessEnv): void {
  delete env.DEBUG;
}

/** Print an error the way users see it; only the entry does this. */
function report(e: unknown, env: NodeJS.ProcessEnv, help = 'payctl --help'): number {
  const debug = env.PAYCTL_DEBUG === '1';
  if (e instanceof CommanderError) {
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
    // a command group without its subcommand: commander already printed the group's help
    if (e.code === 'commander.help') return ExitCode.invalid;
  }
  const { message, hint } = errorText(e);
  process.stderr.write(`payctl: ${message}\n`);
  if (e instanceof CommanderError) {
    process.stderr.write(`(run ${help} for usage)\n`);
    return ExitCode.invalid;
  }
  if (hint) process.stderr.write(`hint: ${hint}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(redactLazy(e.stack) + '\n');
  else if (!isPayctlError(e)) process.stderr.write('This is a bug in payctl. Run again with PAYCTL_DEBUG=1 and report the output.\n');
  return isPayctlError(e) ? e.exitCode : ExitCode.failed;
}

/** The help of the (sub)command the arguments name, for a usage error: `payctl incident deny --help`. */
function helpCommand(program: Command, args: string[]): string {
  const path = [program.name()];
  let cmd = program;
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) continue;
    path.push(sub.name());
    cmd = sub;
  }
  return `${path.join(' ')} --help`;
}

/** An error in the user's words (redacted): what report() prints and the --json error document holds. */
function errorText(e: unknown): { message: string; hint?: string } {
  if (e instanceof CommanderError) return { message: e.message.replace(/^error: /, '') };
  if (isPayctlError(e)) return { message: redactLazy(e.message), ...(e.hint ? { hint: redactLazy(e.hint) } : {}) };
  return { message: `unexpected error: ${redactLazy(messageOf(e))}` };
}

/**
 * --json promises one JSON document on stdout: when a command fails before
 * printing its own (bad input, approval missing), the error is that document.
 */
async function printErrorDocument(e: unknown, code: number): Promise<void> {
  const { jsonDocumentWritten } = await import('./output.js');
  if (jsonDocumentWritten()) return;
  const { message, hint } = errorText(e);
  process.stdout.write(JSON.stringify({ error: message, ...(hint ? { hint } : {}), exit_code: code }, null, 2) + '\n');
}

let redactFn: ((s: string) => string) | undefined;
function redactLazy(s: string): string {
  return redactFn ? redactFn(s) : s;
}

export async function main(argv: string[]): Promise<void> {
  silenceDependencyDebugLogs(process.env);
  // `payctl incident list | head`: the reader went away; stop quietly instead of a stack trace
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok);
    });
  }
  const program = buildProgram();
  let code: number = ExitCode.ok;
  try {
    // loaded only when a command runs; --help and --version never get here
    program.hook('preAction', async () => {
      const [{ redact }, { cleanText }] = await Promise.all([import('./secrets.js'), import('./control-chars.js')]);
      redactFn = (s) => cleanText(redact(s), { multiline: true }); // an error may quote a server's answer
    });
    await program.parseAsync(argv);
  } catch (thrown) {
    // a full disk or a read-only filesystem is the user's to fix, not a bug
    const e = asStorageError(thrown) ?? thrown;
    code = report(e, process.env, helpCommand(program, argv.slice(2)));
    if (code !== ExitCode.ok && argv.slice(2).includes('--json')) await printErrorDocument(e, code);
  }
  // a store opened by the command: its spool pushed when the database is back, its connections closed
  await (await import('./store/spool-state.js')).runBeforeExit();
  if (typeof process.exitCode === 'number' && process.exitCode !== 0 && code === 0) code = process.exitCode;
  process.stdout.write('', () => process.exit(code));
}

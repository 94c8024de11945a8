/** payctl drill <playbook>: a game day against the sandbox; exit 0 when every expectation passes, 1 otherwise. */
import type { Context } from '../context.js';
import { checkOutputPath, writeOutputFile } from '../output-file.js';
import { InvalidInputError, OperationError } from '../errors.js';
import { formatElapsed } from '../duration.js';
import { runDrill } from '../drill/run.js';

export interface DrillOptions {
  fault?: string;
  scenario?: string;
  report?: string;
  force?: boolean;
  json?: boolean;
}

export async function drill(ctx: Context, playbookId: string, opts: DrillOptions): Promise<void> {
  if (opts.report === '-')
    throw new InvalidInputError(
      '--report - would print the report among the summary lines',
      'pass --json to print the report on stdout, or --report <file>',
    );
  if (opts.report) checkOutputPath(ctx, opts.report, { force: opts.force, flag: '--report' }); // before the drill runs
  const report = await runDrill(ctx, playbookId, { fault: opts.fault, scenario: opts.scenario });
  if (opts.report) writeOutputFile(ctx, opts.report, JSON.stringify(report, null, 2) + '\n', { force: opts.force, flag: '--report' });
  if (ctx.out.jsonMode) ctx.out.json(report);
  else {
    const c = ctx.out.color;
    ctx.out.line();
    const name = `${report.playbook}${report.scenario ? `, scenario ${report.scenario}` : ''}`;
    ctx.out.line(c.bold(`drill ${name} (fault ${report.fault}): ${report.passed ? c.green('PASSED') : c.red('FAILED')}`));
    for (const e of report.expectations) {
      ctx.out.line(`  ${e.pass ? c.green('✔') : c.red('✖')} ${e.expected}: ${e.observed}`);
    }
    if (report.expectations.length === 0) ctx.out.line(c.yellow('  the drill section declares no expectations: nothing was checked'));
    ctx.out.line(
      `  time to mitigate: ${report.time_to_mitigate_ms === null ? 'not mitigated' : formatElapsed(report.time_to_mitigate_ms)}; drill took ${formatElapsed(report.duration_ms)}`,
    );
    if (report.run_error) ctx.out.line(c.yellow(`  the playbook run stopped: ${report.run_error}`));
    ctx.out.line(
      c.dim(
        `  incident ${report.incident} (payctl incident show ${report.incident})${opts.report ? `; report written to ${opts.report}` : ''}`,
      ),
    );
  }
  if (!report.passed) {
    const failed = report.expectations.filter((e) => !e.pass).map((e) => e.name);
    const name = `${report.playbook}${report.scenario ? ` (scenario ${report.scenario})` : ''}`;
    throw new OperationError(`drill ${name} failed: ${failed.length ? failed.join(', ') : 'no expectations declared'}`);
  }
}

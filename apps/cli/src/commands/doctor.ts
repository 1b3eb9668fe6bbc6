import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** `anneal doctor <run-dir>`. */
export function doctorCommand(program: Command, ctx: CommandContext): void {
  program
    .command('doctor')
    .description('diagnose a finished or running run from its learning curves (lr too low/high, decayed too early, overfitting, underfitting, train longer, divergence, update/weight ratios), with the evidence; writes <run>/doctor/report.html and .md')
    .argument('<run-dir>', 'run folder written by anneal fit, finetune (each phase of an LP-FT run), tune (trials/<n>) or recipe')
    .option('--json', 'print the findings as JSON')
    .option('--no-report', 'do not write the report')
    .action(async (dir: string, o: { json?: boolean; report: boolean }) => {
      const s = await (await ctx.pipeline()).doctor(dir, { report: o.report });
      if (o.json) return ctx.io.out(JSON.stringify(s, null, 2));
      const { formatFindings } = await import('@anneal/diagnostics');
      for (const [i, r] of (s.phases ?? [s]).entries()) {
        if (i > 0) ctx.io.out('');
        ctx.io.out(`${r.dir}: ${'phase' in r ? `${r.phase} phase, ` : ''}${r.epochs} epochs, ${r.steps} steps${r.finished ? '' : ' (still running)'}`);
        ctx.io.out(r.findings.length ? formatFindings(r.findings) : 'no problem found in the learning curves');
        if (r.report) ctx.io.out(`report: ${r.report.html} and ${r.report.md}`);
      }
    });
}

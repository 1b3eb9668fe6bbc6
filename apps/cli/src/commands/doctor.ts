import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** `anneal doctor <run-dir>`. */
export function doctorCommand(program: Command, ctx: CommandContext): void {
  program
    .command('doctor')
    .description('diagnose a finished or running run from its learning curves (lr too low/high, decayed too early, overfitting, underfitting, train longer, divergence, update/weight ratios), with the evidence; writes <run>/doctor/report.html and .md')
    .argument('<run-dir>', 'run folder written by anneal fit, finetune, tune (trials/<n>) or recipe')
    .option('--json', 'print the findings as JSON')
    .option('--no-report', 'do not write the report')
    .action(async (dir: string, o: { json?: boolean; report: boolean }) => {
      const s = await (await ctx.pipeline()).doctor(dir, { report: o.report });
      if (o.json) return ctx.io.out(JSON.stringify(s, null, 2));
      ctx.io.out(`${s.dir}: ${s.epochs} epochs, ${s.steps} steps${s.finished ? '' : ' (still running)'}`);
      ctx.io.out(s.findings.length ? (await import('@anneal/diagnostics')).formatFindings(s.findings) : 'no problem found in the learning curves');
      if (s.report) ctx.io.out(`report: ${s.report.html} and ${s.report.md}`);
    });
}

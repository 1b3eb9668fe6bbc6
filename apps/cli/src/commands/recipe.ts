import type { Command } from 'commander';
import type { Finding } from '@anneal/diagnostics';
import type { RecipeSummary } from '@anneal/pipeline';
import type { CommandContext } from '../context.js';

/** The lines printed at the end of `anneal recipe`. */
export function formatRecipeSummary(s: RecipeSummary, formatFindings: (findings: readonly Finding[]) => string): string {
  const monitor = s.monitor;
  const lines = [`recipe: ${s.done.length} steps done (${s.done.join(', ')}) in ${s.seconds.toFixed(0)} s`];
  if (s.halted) lines.push(`stopped at ${s.halted.step}: ${s.halted.reason}`);
  if (s.best) {
    const b = s.best;
    lines.push(`best run: ${b.label} (lr ${b.lr}, weight decay ${b.weightDecay}, ${b.epochs} epochs, ${b.lrSchedule} lr): ${monitor} ${b.value.toFixed(4)}${b.testAccuracy !== undefined ? `, test accuracy ${(b.testAccuracy * 100).toFixed(2)}%` : ''}`);
    lines.push(b.findings.length ? `doctor on ${b.label}:\n${formatFindings(b.findings)}` : `doctor on ${b.label}: no findings`);
  }
  lines.push(`report: ${s.report.html} and ${s.report.md}`);
  return lines.join('\n');
}

/** `anneal recipe [config]`. */
export function recipeCommand(program: Command, ctx: CommandContext): void {
  program
    .command('recipe')
    .description('run the tuning recipe on a fit config: initial-loss check, overfit a small sample, lr probe and range test, coarse lr x weight-decay grid, refine the best longer, doctor, repeat with its suggestions; writes report.html and report.md with charts')
    .argument('[config]', 'recipe config (.json, .yaml)')
    .option('--out <dir>', 'recipe folder (default runs/<name>, or runs/<name>-N when taken)')
    .option('--until <step>', 'stop after this step (a wrong name lists the steps); --resume goes on')
    .option('--resume <dir>', 'continue the recipe saved in this folder')
    .option('--no-progress', 'no progress bars')
    .action(async (config: string | undefined, o: { out?: string; until?: string; resume?: string; progress: boolean }) => {
      const pipeline = await ctx.pipeline({ progress: o.progress });
      const summary = await pipeline.recipe(config, { out: o.out, until: o.until, resume: o.resume });
      ctx.io.out(formatRecipeSummary(summary, (await import('@anneal/diagnostics')).formatFindings));
    });
}

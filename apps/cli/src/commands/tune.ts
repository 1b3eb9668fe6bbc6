import type { Command } from 'commander';
import type { TuneSummary } from '@anneal/pipeline';
import type { CommandContext } from '../context.js';
import { integer } from '../options.js';

/** The block printed at the end of `anneal tune`. */
export function formatTuneSummary(s: TuneSummary): string {
  const lines = [
    s.table,
    '',
    `study ${s.study} (${s.storage}): ${s.trials.complete} complete, ${s.trials.pruned} pruned, ${s.trials.fail} failed in ${s.seconds.toFixed(1)} s`,
    s.best
      ? `best: trial ${s.best.number}, value ${s.best.value.toFixed(4)}, ${JSON.stringify(s.best.params)}${s.best.test?.accuracy !== undefined ? `; test accuracy ${(s.best.test.accuracy * 100).toFixed(2)}% on ${s.best.test.count} examples` : ''}`
      : 'best: none (no complete trial)',
  ];
  if (s.importance.length) lines.push(`importance: ${s.importance.map((i) => `${i.param} ${(i.importance * 100).toFixed(0)}%`).join(', ')}`);
  if (s.bestRun) lines.push(`best run: ${s.bestRun.model} (train it again: anneal fit ${s.bestRun.config})`);
  if (s.report) lines.push(`report: ${s.report.html}`);
  if (s.charts.length) lines.push(`charts: ${s.charts.join(', ')} (+ .png)`);
  return lines.join('\n');
}

/** `anneal tune <config>`. */
export function tuneCommand(program: Command, ctx: CommandContext): void {
  program
    .command('tune')
    .description('hyperparameter search over a fit config: samplers (tpe, random, qmc, grid, cma-es, gp, nsga-ii or a plugin), pruners (median, percentile, asha, hyperband), parallel workers, a journal file or Redis; report with best trial, importance and charts')
    .argument('<config>', 'tune config (.json, .yaml)')
    .option('--storage <spec>', 'journal file path, or redis://host:port for workers on many machines (default runs/<name>/study.jsonl)')
    .option('--worker', 'run trials only, against the shared storage (start one per process/machine)')
    .option('--trials <n>', 'complete + pruned trials the study should reach', integer('--trials'))
    .option('--parallel <n>', 'worker processes on this machine', integer('--parallel'))
    .option('--out <dir>', 'study folder (default runs/<name>; re-running resumes the study)')
    .option('--force', 'start afresh: delete the study folder first when it holds a study (study.jsonl or summary.json) instead of resuming it')
    .action(async (config: string, o: { storage?: string; worker?: boolean; trials?: number; parallel?: number; out?: string; force?: boolean }) => {
      const { force, ...rest } = o;
      const summary = await (await ctx.pipeline()).tune(config, { ...rest, replace: force });
      if (summary) ctx.io.out(formatTuneSummary(summary));
    });
}

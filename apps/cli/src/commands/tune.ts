import type { Command } from 'commander';
import type { TuneSummary } from '@anneal/pipeline';
import type { CommandContext } from '../context.js';
import { integer } from '../options.js';

const num = (v: number) => String(Number(v.toPrecision(5)));

/** The Pareto front of a multi-objective study, one line per front trial (best first by the first objective). */
export function formatFront(s: TuneSummary): string[] {
  const front = s.front ?? [];
  if (!front.length) return ['Pareto front: none (no complete trial)'];
  return [
    `Pareto front: ${front.length} trial${front.length === 1 ? '' : 's'} (${s.objectives.map((o) => `${o.metric} ${o.direction}`).join(', ')})`,
    ...front.map((t) => `  trial ${t.number}: ${s.objectives.map((o, i) => `${o.metric} ${num(t.values[i]!)}`).join(', ')}  ${JSON.stringify(t.params)}${t.test?.accuracy !== undefined ? `; test accuracy ${(t.test.accuracy * 100).toFixed(2)}%` : ''}${t.run ? `  -> ${t.run.dir}` : ''}`),
    ...(front.some((t) => t.run) ? [`front runs: model.onnx and config.json in each folder (train one again: anneal fit <folder>/config.json)`] : []),
  ];
}

/** The block printed at the end of `anneal tune`. */
export function formatTuneSummary(s: TuneSummary): string {
  if (s.objectives.length > 1) {
    const lines = [s.table, '', `study ${s.study} (${s.storage}): ${s.trials.complete} complete, ${s.trials.fail} failed in ${s.seconds.toFixed(1)} s`, ...formatFront(s)];
    if (s.report) lines.push(`report: ${s.report.html}`);
    return lines.join('\n');
  }
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
    .description('hyperparameter search over a fit config, one objective or several (a Pareto front of e.g. val.accuracy vs params, step-ms, model-bytes): samplers (tpe, random, qmc, grid, cma-es, gp, nsga-ii or a plugin), pruners (median, percentile, asha, hyperband), parallel workers, a journal file or Redis; report with best trial, importance and charts')
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

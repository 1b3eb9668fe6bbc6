import type { Command } from 'commander';
import type { FitSummary } from '@anneal/pipeline';
import type { CommandContext } from '../context.js';

const pct = (v: number | undefined) => (v === undefined ? '-' : `${(v * 100).toFixed(2)}%`);

/** The summary block printed at the end of a run. */
export function formatSummary(s: FitSummary): string {
  const lines = [
    `done: ${s.epochs} epochs, ${s.steps} steps in ${s.seconds.toFixed(1)} s${s.stopped ? ` (stopped early: ${s.reason})` : ''}`,
    `training: ${Math.round(s.throughput.examplesPerSecond)} examples/s (batch ${s.throughput.batch}${s.throughput.workers > 1 || s.throughput.accumulate > 1 ? ` = ${s.throughput.workers} workers x ${s.throughput.accumulate} micro-batches` : ''})`,
    `test: loss ${s.test.loss.toFixed(4)}${s.test.accuracy !== undefined ? `, accuracy ${(s.test.accuracy * 100).toFixed(2)}%` : ''} on ${s.test.count} examples${s.testLastWeights ? ' (averaged weights)' : ''}`,
    ...(s.swa ? [`      SWA over ${s.swa.epochs} epochs; last weights: accuracy ${pct(s.swa.lastWeights.accuracy)}${s.swa.withoutRefresh ? `; average before the BatchNorm refresh: accuracy ${pct(s.swa.withoutRefresh.accuracy)}` : ''}`] : []),
    ...(s.testLastWeights ? [`      last weights: loss ${s.testLastWeights.loss.toFixed(4)}${s.testLastWeights.accuracy !== undefined ? `, accuracy ${(s.testLastWeights.accuracy * 100).toFixed(2)}%` : ''}`] : []),
    `model:      ${s.files.model}`,
    `metrics:    ${s.files.metrics}`,
    `checkpoint: ${s.files.checkpoint}`,
    ...s.files.charts.map((p, i) => `${i === 0 ? 'charts:     ' : '            '}${p} (+ .png)`),
  ];
  return lines.join('\n');
}

/** `anneal fit <config>`. */
export function fitCommand(program: Command, ctx: CommandContext): void {
  program
    .command('fit')
    .description('train as a config file (JSON or YAML) says, into a run folder: config snapshot, metrics.jsonl, checkpoints, model.onnx, charts')
    .argument('<config>', 'fit config (.json, .yaml)')
    .option('--out <dir>', 'run folder (default runs/<name>, or runs/<name>-N when taken)')
    .option('--force', 'with --out: replace a run already in that folder (one with config.json or summary.json; other folders are never deleted)')
    .option('--no-progress', 'no progress bars (summary lines only)')
    .action(async (config: string, o: { out?: string; force?: boolean; progress: boolean }) => {
      const pipeline = await ctx.pipeline({ progress: o.progress });
      ctx.io.out(formatSummary(await pipeline.fit(config, { dir: o.out, replace: o.force })));
    });
}

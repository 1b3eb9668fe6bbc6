import { Option, type Command } from 'commander';
import type { EnsembleSummary } from '@anneal/pipeline';
import type { CommandContext } from '../context.js';
import { integer } from '../options.js';

/** The table printed by the ensemble commands. */
export function formatEnsembleSummary(s: EnsembleSummary): string {
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  return [
    `${s.kind} ensemble of ${s.members.length} (${s.combine}) on ${s.count} test examples:`,
    ...s.members.map((m) => `  ${m.name.padEnd(12)} accuracy ${pct(m.accuracy)}  nll ${m.nll.toFixed(4)}`),
    `  ${'mean member'.padEnd(12)} accuracy ${pct(s.meanMember.accuracy)}  nll ${s.meanMember.nll.toFixed(4)}`,
    `  ${'ENSEMBLE'.padEnd(12)} accuracy ${pct(s.ensemble.accuracy)}  nll ${s.ensemble.nll.toFixed(4)}  (${(100 * (s.ensemble.accuracy - s.meanMember.accuracy)).toFixed(2)} points over the mean member, ${(100 * (s.ensemble.accuracy - s.bestMember.accuracy)).toFixed(2)} over the best, ${s.bestMember.name})`,
    `model: ${s.model} (one ONNX model, members side by side)`,
  ].join('\n');
}

/** `anneal ensemble train|snapshot|export`. */
export function ensembleCommand(program: Command, ctx: CommandContext): void {
  const ensemble = program.command('ensemble').description('ensembles: independent members, snapshot ensembles, export as one ONNX model');
  const combine = () => new Option('--combine <rule>', 'how member predictions are combined').choices(['mean-probability', 'mean-logit', 'vote']).default('mean-probability');
  ensemble
    .command('train')
    .description('train K members of a fit config from different seeds (same split), then score and export the ensemble')
    .argument('<config>', 'fit config (.json, .yaml)')
    .requiredOption('--members <k>', 'number of members', integer('--members'))
    .option('--parallel <n>', 'members trained at once in this process (1 ORT thread each)', integer('--parallel'))
    .option('--out <dir>', 'ensemble folder (default runs/<name>-ensemble)')
    .addOption(combine())
    .option('--no-progress', 'no progress bars')
    .action(async (config: string, o) => {
      const pipeline = await ctx.pipeline({ progress: o.progress });
      ctx.io.out(formatEnsembleSummary(await pipeline.ensembleTrain(config, { members: o.members, parallel: o.parallel, out: o.out, combine: o.combine })));
    });
  ensemble
    .command('snapshot')
    .description('one run with M cosine warm restarts, a snapshot at the end of each cycle, the last snapshots ensembled (Huang et al. 2017)')
    .argument('<config>', 'fit config (.json, .yaml); train.epochs must be a multiple of --cycles')
    .requiredOption('--cycles <m>', 'lr cycles (snapshots)', integer('--cycles'))
    .option('--keep <m>', 'ensemble the last m snapshots (default all)', integer('--keep'))
    .option('--out <dir>', 'ensemble folder (default runs/<name>-snapshots)')
    .addOption(combine())
    .option('--no-progress', 'no progress bars')
    .action(async (config: string, o) => {
      const pipeline = await ctx.pipeline({ progress: o.progress });
      ctx.io.out(formatEnsembleSummary(await pipeline.ensembleSnapshot(config, { cycles: o.cycles, keep: o.keep, out: o.out, combine: o.combine })));
    });
  ensemble
    .command('export')
    .description('rebuild and rescore ensemble.onnx of an ensemble folder (e.g. with another combine rule)')
    .argument('<dir>', 'folder written by anneal ensemble train or snapshot')
    .addOption(combine())
    .action(async (dir: string, o) => {
      ctx.io.out(formatEnsembleSummary(await (await ctx.pipeline()).ensembleExport(dir, { combine: o.combine })));
    });
}

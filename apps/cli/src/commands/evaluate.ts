import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';
import { integer } from '../options.js';

/** `anneal evaluate <run-dir | model.onnx>`. */
export function evaluateCommand(program: Command, ctx: CommandContext): void {
  program
    .command('evaluate')
    .description("run a saved inference model with plain ONNX Runtime on a split of the run's data")
    .argument('<target>', 'run folder (of anneal fit or anneal finetune), or an .onnx file (with --config)')
    .option('--config <file>', "fit config naming the data (default: the run folder's)")
    .addOption(new Option('--split <split>', 'which split').choices(['test', 'val', 'train']).default('test'))
    .option('--top-k <k>', 'also report top-k accuracy', integer('--top-k'), 5)
    .action(async (target: string, o: { config?: string; split: 'test' | 'val' | 'train'; topK: number }) => {
      const pipeline = await ctx.pipeline();
      const { isFinetuneRun } = await import('@anneal/pipeline');
      const r = !o.config && isFinetuneRun(target) ? await pipeline.evaluateFinetune(target, o.split, o.topK) : await pipeline.evaluate(target, { config: o.config, split: o.split, topK: o.topK });
      ctx.io.out(`${r.model} on ${r.split} (${r.count} examples): loss ${r.loss.toFixed(4)}, accuracy ${(r.accuracy * 100).toFixed(2)}%, top-${r.k} ${(r.topK * 100).toFixed(2)}%`);
    });
}

import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { integer, parseInputShape } from '../options.js';

/** `anneal inspect <model>`. */
export function inspectCommand(program: Command, ctx: CommandContext): void {
  program
    .command('inspect')
    .description('what an ONNX backbone offers for transfer learning: inputs/outputs, ops with gradient coverage, parameters, feature tensors to cut at, ops that block fine-tuning')
    .argument('<model>', 'ONNX model file')
    .option('--input-shape <dims>', 'size feature tensors with a real run on an input of this shape, batch first (e.g. 1x3x48x192)', parseInputShape)
    .option('--limit <n>', 'feature candidates to list', integer('--limit'), 10)
    .option('--json', 'print the report as JSON')
    .action(async (model: string, o: { inputShape?: number[]; limit: number; json?: boolean }) => {
      const report = await (await ctx.pipeline()).inspect(model, o);
      ctx.io.out(o.json ? JSON.stringify(report, null, 2) : (await import('@anneal/transfer')).formatModelReport(report));
    });
}

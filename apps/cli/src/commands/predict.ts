import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** `anneal predict <model.onnx> --input x.npy`. */
export function predictCommand(program: Command, ctx: CommandContext): void {
  program
    .command('predict')
    .description('class predictions of a saved model for inputs in a .npy file')
    .argument('<model>', 'inference model (.onnx)')
    .requiredOption('--input <file>', 'inputs (.npy, float32, batch first)')
    .option('--out <file>', 'write class ids (.npy, int64)')
    .option('--probabilities <file>', 'write softmax probabilities (.npy, float32)')
    .action(async (model: string, o: { input: string; out?: string; probabilities?: string }) => {
      const r = await (await ctx.pipeline()).predict(model, o);
      ctx.io.out(o.out ? `${r.classes.length} predictions written to ${o.out}` : r.classes.join(' '));
    });
}

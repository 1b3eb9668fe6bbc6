import type { Command } from 'commander';
import type { GradOptions } from '@anneal/pipeline';
import type { CommandContext } from '../context.js';
import { number } from '../options.js';

/** `anneal grad <model>`. */
export function gradCommand(program: Command, ctx: CommandContext): void {
  program
    .command('grad')
    .description('mean loss over a batch and its gradients w.r.t. every trainable initializer')
    .argument('<model>', 'ONNX model file')
    .requiredOption('--input <file>', 'input batch (.npy, float32 or int64)')
    .option('--input-name <name>', 'graph input to feed (default: the first non-initializer input)')
    .requiredOption('--labels <file>', 'labels (.npy; int64 class ids for cross-entropy, float [N, classes] probabilities for soft-target-cross-entropy, float targets otherwise)')
    .option('--loss <kind>', "loss: cross-entropy (int64 class ids), soft-target-cross-entropy (float class probabilities [N, classes], e.g. mixup targets or a teacher's), bce-with-logits or mse (float targets)", 'cross-entropy')
    .option('--label-smoothing <eps>', 'label smoothing for cross-entropy', number('--label-smoothing'))
    .option('--input-grad', 'also output the gradient w.r.t. the input')
    .requiredOption('--out <file>', 'grads.json or grads.safetensors')
    .action(async (model: string, o: Omit<GradOptions, 'model'>) => {
      const r = await (await ctx.pipeline()).grad({ model, ...o });
      ctx.io.out(`loss ${r.loss}; gradients of ${r.count} tensors written to ${o.out}`);
    });
}

import { copyFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { FitConfigInput } from '@anneal/pipeline';
import type { CommandContext } from '../context.js';
import { terminalIo } from '../terminal-io.js';
import { integer, number } from '../options.js';
import { formatSummary } from './fit.js';

/** The flags of `anneal train`. */
interface TrainFlags {
  demo?: boolean;
  x?: string;
  y?: string;
  inputName?: string;
  mlp?: number[];
  loss: string;
  labelSmoothing?: number;
  optimizer: string;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  clip?: number;
  epochs: number;
  batchSize: number;
  valFraction: number;
  testFraction: number;
  seed: number;
  device: 'cpu' | 'cuda' | 'wasm';
  deviceId: number;
  batchNorm: 'as-exported' | 'train' | 'frozen';
  out?: string;
  checkpoint?: string;
  progress: boolean;
}

/** The fit config `anneal train` runs: its flags written as a config (the same path as `anneal fit`). */
export function trainConfig(model: string | undefined, o: TrainFlags, ConfigError: new (message: string) => Error): FitConfigInput {
  if (!o.demo && (!o.x || !o.y)) throw new ConfigError('give the training data as --x features.npy --y labels.npy (or use --demo for MNIST)');
  const sgdFamily = ['sgd', 'momentum', 'nesterov', 'sgd-hd', 'lars'].includes(o.optimizer);
  return {
    name: 'train',
    seed: o.seed,
    data: { source: o.x && o.y ? { type: 'npy', x: o.x, y: o.y } : { type: 'mnist' }, split: { test: o.testFraction, val: o.valFraction, seed: o.seed }, batchSize: o.batchSize },
    model: model ? { type: 'onnx', path: model, ...(o.inputName ? { inputName: o.inputName } : {}) } : { type: 'mlp', hidden: o.mlp ? o.mlp.slice(1, -1) : [128] },
    loss: { type: o.loss, ...(o.labelSmoothing !== undefined ? { labelSmoothing: o.labelSmoothing } : {}) },
    optimizer: { type: o.optimizer, lr: o.lr ?? (o.optimizer.startsWith('adam') ? 1e-3 : 0.05), weightDecay: o.weightDecay, clip: o.clip, ...(o.momentum !== undefined && sgdFamily ? { momentum: o.momentum } : {}) },
    train: { epochs: o.epochs, device: o.device, deviceId: o.deviceId, batchNorm: o.batchNorm },
  };
}

/**
 * `anneal train`: the quick form of `anneal fit`, its config written as flags (.npy data or MNIST,
 * an ONNX file or an MLP): the same composition, run folder and summary; `--out` and
 * `--checkpoint` also copy the model and the checkpoint where asked.
 */
export function trainCommand(program: Command, ctx: CommandContext): void {
  program
    .command('train')
    .description('train an ONNX model or a built-in MLP on .npy data (anneal fit with the config given as flags); prints loss per epoch')
    .argument('[model]', 'ONNX model file (default: a built-in MLP)')
    .option('--demo', 'train the built-in MLP on real MNIST digits (the embedded default)')
    .option('--x <file>', 'features (.npy)')
    .option('--y <file>', 'labels (.npy)')
    .option('--input-name <name>', 'graph input fed with --x')
    .option('--mlp <sizes>', 'MLP layer sizes, e.g. 784,128,10 (first and last must match the data)', (v) => v.split(',').map(integer('--mlp')))
    .option('--loss <kind>', "loss: cross-entropy (int64 class ids), soft-target-cross-entropy (float class probabilities [N, classes], e.g. mixup targets or a teacher's), bce-with-logits or mse (float targets)", 'cross-entropy')
    .option('--label-smoothing <eps>', 'label smoothing', number('--label-smoothing'))
    .addOption(new Option('--optimizer <id>', 'optimizer').choices(['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'lars', 'lamb', 'sgd-hd', 'adam-hd']).default('adam'))
    .option('--lr <lr>', 'learning rate', number('--lr'))
    .option('--momentum <m>', 'momentum (momentum/nesterov)', number('--momentum'))
    .option('--weight-decay <wd>', 'weight decay', number('--weight-decay'))
    .option('--clip <norm>', 'clip gradients to this global L2 norm', number('--clip'))
    .option('--epochs <n>', 'epochs', integer('--epochs'), 5)
    .option('--batch-size <n>', 'batch size', integer('--batch-size'), 64)
    .option('--val-fraction <f>', 'validation fraction (carved from the training examples, stratified), scored every epoch; 0 for none', number('--val-fraction'), 0.1)
    .option('--test-fraction <f>', 'test fraction, scored once after training', number('--test-fraction'), 0.2)
    .option('--seed <n>', 'seed', number('--seed'), 0)
    .addOption(new Option('--device <device>', 'execution device (cuda falls back to cpu with a warning when its provider is missing)').choices(['cpu', 'cuda', 'wasm']).default('cpu'))
    .option('--device-id <n>', 'CUDA device id', number('--device-id'), 0)
    .addOption(new Option('--batch-norm <mode>', 'BatchNormalization while training: as exported, batch statistics with running updates (train) or running statistics (frozen)').choices(['as-exported', 'train', 'frozen']).default('as-exported'))
    .option('--run-dir <dir>', 'run folder (default runs/train, or runs/train-N when taken)')
    .option('--out <file>', 'also copy the trained inference model (.onnx) here')
    .option('--checkpoint <file>', 'also copy the checkpoint (parameters and optimizer state, .safetensors) here')
    .option('--no-progress', 'no progress bars')
    .action(async (model: string | undefined, o: TrainFlags & { runDir?: string }) => {
      // this quick form prints its epoch lines on stdout, as a result
      const { ConfigError, createPipeline } = await import('@anneal/pipeline');
      const pipeline = await createPipeline({ io: terminalIo({ out: ctx.io.out, err: (s) => (s.startsWith('warning') ? ctx.io.err(s) : ctx.io.out(s)) }, o.progress) });
      const summary = await pipeline.fit(trainConfig(model, o, ConfigError), {
        dir: o.runDir,
        onComposed: (run) => {
          const sizes = o.mlp;
          if (sizes && (sizes[0] !== run.data.inputDims[0] || sizes.at(-1) !== run.data.classes)) throw new ConfigError(`--mlp ${sizes.join(',')}: the data has ${run.data.inputDims.join('x')} features per example and ${run.data.classes} classes; start with ${run.data.inputDims[0]} and end with ${run.data.classes}`);
          ctx.io.out(`training ${run.session.trainStep.params.length} tensors with ${run.session.update.optimizer} on ${run.session.device}: ${run.data.sizes.train} train / ${run.data.sizes.val} val / ${run.data.sizes.test} test examples, batch ${o.batchSize}, ${o.epochs} epochs`);
        },
      });
      ctx.io.out(formatSummary(summary));
      if (o.checkpoint) {
        copyFileSync(summary.files.checkpoint, o.checkpoint);
        ctx.io.out(`checkpoint: ${o.checkpoint}`);
      }
      if (o.out) {
        copyFileSync(summary.files.model, o.out);
        ctx.io.out(`inference model: ${o.out}`);
      }
    });
}

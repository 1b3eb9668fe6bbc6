import { Option, type Command } from 'commander';
import type { FeaturesOptions, FeaturesResult } from '@anneal/pipeline';
import type { CommandContext } from '../context.js';
import { integer, parseDevice, parseNumbers, parseSize } from '../options.js';

/** What `anneal features` prints. */
export function formatFeatures(r: FeaturesResult): string {
  return [
    `features: ${r.features.dims.join(' x ')} ${r.features.fromCache ? '(from cache)' : `in ${r.features.seconds.toFixed(2)} s, ${r.features.examplesPerSecond.toFixed(1)} images/s on ${r.features.device}`}`,
    `cache:    ${r.cache}`,
    ...(r.written.length ? [`written:  ${r.written.join(', ')}`] : []),
  ].join('\n');
}

/** `anneal features <backbone> <data>`. */
export function featuresCommand(program: Command, ctx: CommandContext): void {
  program
    .command('features')
    .description('run a frozen backbone over a dataset once and cache the features on disk (reused by finetune, later runs and search trials)')
    .argument('<backbone>', 'ONNX model file (or a file of an installed package)')
    .argument('<data>', 'image folder (one sub-folder per class) or mnist[:perDigit]')
    .option('--at <tensor>', 'tensor to cut at (default: the top-ranked candidate; see anneal inspect)')
    .addOption(new Option('--pool <how>', 'reduce spatial/sequence axes to a vector').choices(['auto', 'avg', 'max', 'none']).default('auto'))
    .option('--size <HxW>', 'resize images to the backbone input, e.g. 48x192', parseSize)
    .addOption(new Option('--channels <n>', 'image channels').choices(['1', '3']).argParser((v) => Number(v) as 1 | 3))
    .addOption(new Option('--fit <how>', 'how images fit the size').choices(['fill', 'contain', 'cover']))
    .addOption(new Option('--position <where>', "where 'contain' places the image").choices(['centre', 'left']))
    .option('--invert', 'use 1 - v (light-on-dark images for dark-on-light models)')
    .option('--mean <m>', 'per-channel mean, e.g. 0.485,0.456,0.406', parseNumbers('--mean'))
    .option('--std <s>', 'per-channel std', parseNumbers('--std'))
    .addOption(new Option('--layout <layout>', 'per-example layout').choices(['NCHW', 'NHWC']))
    .option('--cache-dir <dir>', 'feature cache folder', '.anneal/features')
    .option('--batch-size <n>', 'examples per run', integer('--batch-size'), 64)
    .option('--device <device>', 'cpu, cuda, cuda:<id> or wasm (cuda falls back to cpu with a warning)', parseDevice, { device: 'cpu', deviceId: 0 })
    .option('--out <dir>', 'also write features.npy and labels.npy here')
    .option('--no-progress', 'no progress bars')
    .action(async (backbone: string, data: string, o: FeaturesOptions & { progress: boolean }) => {
      const pipeline = await ctx.pipeline({ progress: o.progress });
      ctx.io.out(formatFeatures(await pipeline.features(backbone, data, o)));
    });
}

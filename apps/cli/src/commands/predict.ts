import { Option, type Command } from 'commander';
import type { ImagePreprocess } from '@anneal/transfer';
import type { PredictResult } from '@anneal/pipeline';
import type { CommandContext } from '../context.js';
import { integer, number, parseNumbers, parseSize } from '../options.js';

/** The options `anneal predict` parses: its own, and the preprocessing fields of {@link ImagePreprocess} (each optional). */
interface PredictCliOptions extends Partial<ImagePreprocess> {
  input?: string[];
  topK?: number;
  out?: string;
  probabilities?: string;
  batchSize?: number;
}

/** A class as printed: its name (or `class <id>`) and its probability in percent. */
function label(c: { class: number; name?: string; probability: number }): string {
  return `${c.name ?? `class ${c.class}`} ${(c.probability * 100).toFixed(2)}%`;
}

/** One line per input: the source, then its top-k classes with probabilities, columns aligned. */
export function formatPredictions(r: PredictResult): string {
  const width = Math.min(60, Math.max(5, ...r.predictions.map((p) => p.source.length)));
  const cells = r.predictions.map((p) => p.top.map(label));
  const columns = Array.from({ length: r.k }, (_, j) => Math.max(...cells.map((row) => row[j]?.length ?? 0), `top-${j + 1}`.length));
  const line = (first: string, rest: string[]) => [first.padEnd(width), ...rest.map((c, j) => c.padEnd(columns[j]!))].join('  ').trimEnd();
  return [line('input', columns.map((_, j) => `top-${j + 1}`)), ...r.predictions.map((p, i) => line(p.source, cells[i]!))].join('\n');
}

/** What predict tells on stderr before the table: the model, its classes, and how images were preprocessed. */
export function describePrediction(r: PredictResult): string {
  const classes = r.names ? `${r.names.length} classes (${r.names.slice(0, 8).join(', ')}${r.names.length > 8 ? ', ...' : ''})` : 'no class names';
  const p = r.preprocess;
  const images = p
    ? `; images ${p.size[0]}x${p.size[1]} ${p.fit}, ${p.channels === 1 ? 'gray' : 'RGB'}${p.invert ? ', inverted' : ''}, mean ${p.mean.join(',')}, std ${p.std.join(',')} (from the ${r.preprocessFrom === 'model' ? "model's metadata" : r.preprocessFrom === 'run' ? "run folder's config" : 'options'})`
    : '';
  return `anneal predict: ${r.model}, ${classes}${images}; ${r.predictions.length} input${r.predictions.length === 1 ? '' : 's'}, ${r.scores === 'logits' ? 'softmax of the logits' : 'probabilities as the model outputs them'}`;
}

/** The preprocessing the flags give, or undefined when none is given; flags without --size are a usage error (`fail`). */
function preprocessOf(o: PredictCliOptions, fail: (message: string) => never): ImagePreprocess | undefined {
  const given = (['channels', 'fit', 'position', 'background', 'invert', 'mean', 'std', 'layout'] as const).filter((k) => o[k] !== undefined);
  if (!o.size) {
    if (given.length) fail(`anneal predict: --${given[0]} needs --size: the preprocessing flags replace the model's preprocessing as a whole, starting with --size <height>x<width>`);
    return undefined;
  }
  return { size: o.size, channels: o.channels, fit: o.fit, position: o.position, background: o.background, invert: o.invert, mean: o.mean, std: o.std, layout: o.layout };
}

/** `anneal predict <model | run folder> [inputs...]`. */
export function predictCommand(program: Command, ctx: CommandContext): void {
  program
    .command('predict')
    .description('top-k classes (with class names) of a saved model or run folder for images, folders of images and .npy files')
    .argument('<model>', 'inference model (.onnx) or a run folder (anneal finetune/fit)')
    .argument('[inputs...]', 'images, folders of images (searched recursively), .npy files (float16/32/64, batch first)')
    .option('--input <path>', 'one more input (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--top-k <k>', 'classes listed per input (default 5)', integer('--top-k'))
    .option('--out <file>', 'write the predictions: .csv or .json (top-k with names), or .npy (class ids, int64)')
    .option('--probabilities <file>', 'write the probabilities (.npy, float32 [N, classes])')
    .option('--batch-size <n>', 'inputs per ONNX Runtime run', integer('--batch-size'))
    .option('--size <HxW>', "images: resize to this (replaces the model's preprocessing; for models that carry none)", parseSize)
    .addOption(new Option('--channels <n>', 'images: channels').choices(['1', '3']).argParser((v) => Number(v) as 1 | 3))
    .addOption(new Option('--fit <how>', 'images: how they fit the size').choices(['fill', 'contain', 'cover']))
    .addOption(new Option('--position <where>', "images: where 'contain' places them").choices(['centre', 'left']))
    .option('--background <v>', 'images: 0..1 gray of padding and transparency', number('--background'))
    .option('--invert', 'images: use 1 - v')
    .option('--mean <m>', 'images: per-channel mean, e.g. 0.485,0.456,0.406', parseNumbers('--mean'))
    .option('--std <s>', 'images: per-channel std', parseNumbers('--std'))
    .addOption(new Option('--layout <layout>', 'images: per-example layout').choices(['NCHW', 'NHWC']))
    .action(async (model: string, inputs: string[], o: PredictCliOptions, command: Command) => {
      const preprocess = preprocessOf(o, (message) => command.error(message, { exitCode: 2 }));
      const r = await (await ctx.pipeline()).predict(model, { inputs: [...inputs, ...(o.input ?? [])], topK: o.topK, out: o.out, probabilities: o.probabilities, batchSize: o.batchSize, preprocess });
      // a model without class names given only .npy rows (and no --top-k) prints the class ids on one line, as before
      const table = r.names !== undefined || r.preprocess !== undefined || o.topK !== undefined;
      if (!table) ctx.io.out(o.out ? `${r.classes.length} predictions written to ${o.out}` : r.classes.join(' '));
      else {
        ctx.io.err(describePrediction(r));
        ctx.io.out(formatPredictions(r));
      }
      if (r.written.length && table) ctx.io.err(`written: ${r.written.join(', ')}`);
    });
}

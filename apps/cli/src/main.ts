import { Command, InvalidArgumentError, Option } from 'commander';
import { createContainer, EXECUTOR, GRADIENT_REGISTRY, resolveOptimizer } from './container';
import { gradCommand } from './commands/grad';
import { trainCommand } from './commands/train';
import { CliError } from './cli-error';
import { fitCommand, formatSummary, resumeCommand } from './fit/fit-command';
import { evaluateCommand, predictCommand } from './fit/evaluate-command';
import { schedulePlotCommand } from './fit/schedule-plot';
import { inspectCommand, parseInputShape } from './transfer/inspect-command';
import { featuresCommand, parseDevice, parseNumbers, parseSize } from './transfer/features-command';
import { evaluateFinetune, finetuneCommand, formatFinetuneSummary, isFinetuneRun, resumeFinetune } from './transfer/finetune-command';
import { formatTuneSummary, tuneCommand } from './tune/tune-command';
import { doctorCommand } from './doctor/doctor-command';
import { formatRecipeSummary, recipeCommand } from './recipe/recipe-command';
import { ensembleExportCommand, ensembleSnapshotCommand, ensembleTrainCommand, formatEnsembleSummary } from './ensemble/ensemble-command';
import { formatFindings, RECIPE_STEPS } from '@anneal/diagnostics';
import type { Device } from '@anneal/runtime';

const number = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got '${v}'`);
  return n;
};
const integer = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'`);
  return n;
};

/** Where the CLI prints: results to `out`, diagnostics to `err`. */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

const consoleIo: CliIo = { out: (s) => console.log(s), err: (s) => console.error(s) };

export function buildProgram(io: CliIo = consoleIo): Command {
  const print = io.out;
  const c = createContainer();
  const program = new Command('anneal')
    .description('Training dynamics for neural networks on ONNX Runtime')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const loss = new Option('--loss <kind>', 'loss').choices(['cross-entropy', 'mse', 'bce-with-logits']).default('cross-entropy');

  program
    .command('grad')
    .description('mean loss over a batch and its gradients w.r.t. every trainable initializer')
    .argument('<model>', 'ONNX model file')
    .requiredOption('--input <file>', 'input batch (.npy, float32 or int64)')
    .option('--input-name <name>', 'graph input to feed (default: the first non-initializer input)')
    .requiredOption('--labels <file>', 'labels (.npy; int64 class ids for cross-entropy)')
    .addOption(loss)
    .option('--label-smoothing <eps>', 'label smoothing for cross-entropy', number('--label-smoothing'))
    .option('--input-grad', 'also output the gradient w.r.t. the input')
    .requiredOption('--out <file>', 'grads.json or grads.safetensors')
    .action(async (model: string, o) => {
      const r = await gradCommand({ model, ...o }, { registry: c.resolve(GRADIENT_REGISTRY), executor: c.resolve(EXECUTOR) });
      print(`loss ${r.loss}; gradients of ${r.count} tensors written to ${o.out}`);
    });

  program
    .command('train')
    .description('train an ONNX model or a built-in MLP on .npy data and print loss per epoch')
    .argument('[model]', 'ONNX model file (default: a built-in MLP)')
    .option('--demo', 'train the built-in MLP on real MNIST digits (the embedded default)')
    .option('--x <file>', 'features (.npy)')
    .option('--y <file>', 'labels (.npy)')
    .option('--input-name <name>', 'graph input fed with --x')
    .option('--mlp <sizes>', 'MLP layer sizes, e.g. 784,128,10', (v) => v.split(',').map(integer('--mlp')))
    .addOption(loss)
    .option('--label-smoothing <eps>', 'label smoothing', number('--label-smoothing'))
    .addOption(new Option('--optimizer <id>', 'optimizer').choices(['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'sgd-hd', 'adam-hd']).default('adam'))
    .option('--lr <lr>', 'learning rate', number('--lr'))
    .option('--momentum <m>', 'momentum (momentum/nesterov)', number('--momentum'))
    .option('--weight-decay <wd>', 'weight decay', number('--weight-decay'))
    .option('--clip <norm>', 'clip gradients to this global L2 norm', number('--clip'))
    .option('--epochs <n>', 'epochs', integer('--epochs'), 5)
    .option('--batch-size <n>', 'batch size', integer('--batch-size'), 64)
    .option('--val-fraction <f>', 'validation fraction', number('--val-fraction'), 0.2)
    .option('--seed <n>', 'seed', number('--seed'), 0)
    .addOption(new Option('--device <device>', 'execution device (cuda falls back to cpu with a warning when its provider is missing)').choices(['cpu', 'cuda', 'wasm']).default('cpu'))
    .option('--device-id <n>', 'CUDA device id', number('--device-id'), 0)
    .addOption(new Option('--batch-norm <mode>', 'BatchNormalization while training: as exported, batch statistics with running updates (train) or running statistics (frozen)').choices(['as-exported', 'train', 'frozen']).default('as-exported'))
    .option('--out <file>', 'write the trained inference model (.onnx)')
    .option('--checkpoint <file>', 'write parameters and optimizer state (.safetensors)')
    .option('--no-progress', 'no progress bars')
    .action(async (model: string | undefined, o) => {
      const descriptor = resolveOptimizer(c, o.optimizer);
      const lr = o.lr ?? (o.optimizer.startsWith('adam') ? 1e-3 : 0.05);
      await trainCommand(
        {
          ...o,
          model,
          optimizer: descriptor.create({ momentum: o.momentum }),
          lr,
          device: o.device as Device,
          deviceId: o.deviceId,
          progress: o.progress && process.stderr.isTTY === true,
        },
        print,
        io.err,
      );
    });
  const showProgress = (o: { progress: boolean }) => o.progress && process.stderr.isTTY === true;
  program
    .command('fit')
    .description('train as a config file (JSON or YAML) says, into a run folder: config snapshot, metrics.jsonl, checkpoints, model.onnx, charts')
    .argument('<config>', 'fit config (.json, .yaml)')
    .option('--out <dir>', 'run folder (default runs/<name>, or runs/<name>-N when taken)')
    .option('--no-progress', 'no progress bars (summary lines only)')
    .action(async (config: string, o) => {
      print(formatSummary(await fitCommand(config, { out: o.out }, { out: print, err: io.err, progress: showProgress(o) })));
    });

  program
    .command('resume')
    .description('continue a run (killed or stopped) from its last checkpoint; the result equals an uninterrupted run')
    .argument('<run-dir>', 'the run folder anneal fit or anneal finetune wrote (a finetune run keeps its finished phases)')
    .option('--no-progress', 'no progress bars')
    .action(async (dir: string, o) => {
      const runIo = { out: print, err: io.err, progress: showProgress(o) };
      if (isFinetuneRun(dir)) print(formatFinetuneSummary(await resumeFinetune(dir, runIo)));
      else print(formatSummary(await resumeCommand(dir, runIo)));
    });

  program
    .command('evaluate')
    .description("run a saved inference model with plain ONNX Runtime on a split of the run's data")
    .argument('<target>', 'run folder (of anneal fit or anneal finetune), or an .onnx file (with --config)')
    .option('--config <file>', 'fit config naming the data (default: the run folder\'s)')
    .addOption(new Option('--split <split>', 'which split').choices(['test', 'val', 'train']).default('test'))
    .option('--top-k <k>', 'also report top-k accuracy', integer('--top-k'), 5)
    .action(async (target: string, o) => {
      const r = !o.config && isFinetuneRun(target) ? await evaluateFinetune(target, o.split, o.topK, { progress: false, log: io.err }) : await evaluateCommand(target, { config: o.config, split: o.split, topK: o.topK });
      print(`${r.model} on ${r.split} (${r.count} examples): loss ${r.loss.toFixed(4)}, accuracy ${(r.accuracy * 100).toFixed(2)}%, top-${r.k} ${(r.topK * 100).toFixed(2)}%`);
    });

  program
    .command('predict')
    .description('class predictions of a saved model for inputs in a .npy file')
    .argument('<model>', 'inference model (.onnx)')
    .requiredOption('--input <file>', 'inputs (.npy, float32, batch first)')
    .option('--out <file>', 'write class ids (.npy, int64)')
    .option('--probabilities <file>', 'write softmax probabilities (.npy, float32)')
    .action(async (model: string, o) => {
      const r = await predictCommand(model, o);
      print(o.out ? `${r.classes.length} predictions written to ${o.out}` : r.classes.join(' '));
    });

  program
    .command('inspect')
    .description('what an ONNX backbone offers for transfer learning: inputs/outputs, ops with gradient coverage, parameters, feature tensors to cut at, ops that block fine-tuning')
    .argument('<model>', 'ONNX model file')
    .option('--input-shape <dims>', 'size feature tensors with a real run on an input of this shape, batch first (e.g. 1x3x48x192)', parseInputShape)
    .option('--limit <n>', 'feature candidates to list', integer('--limit'), 10)
    .option('--json', 'print the report as JSON')
    .action(async (model: string, o) => {
      print(await inspectCommand(model, o, { executor: c.resolve(EXECUTOR), registry: c.resolve(GRADIENT_REGISTRY) }));
    });

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
    .action(async (backbone: string, data: string, o) => {
      print(await featuresCommand(backbone, data, { ...o, progress: showProgress(o) }, io.err));
    });

  program
    .command('finetune')
    .description('transfer learning from a pre-trained ONNX backbone: head on cached features, fine-tuning with freezing and layer-wise lr decay, or LP-FT; writes one backbone + head model')
    .argument('<config>', 'finetune config (.json, .yaml)')
    .option('--out <dir>', 'run folder (default runs/<name>, or runs/<name>-N when taken)')
    .option('--device <device>', 'override train.device: cpu, cuda, cuda:<id> or wasm', parseDevice)
    .option('--no-progress', 'no progress bars')
    .action(async (config: string, o) => {
      print(formatFinetuneSummary(await finetuneCommand(config, { out: o.out, device: o.device }, { out: print, err: io.err, progress: showProgress(o) })));
    });

  program
    .command('tune')
    .description('hyperparameter search over a fit config: samplers (tpe, random, qmc, grid), pruners (median, asha, hyperband), parallel workers, a journal file or Redis; report with best trial, importance and charts')
    .argument('<config>', 'tune config (.json, .yaml)')
    .option('--storage <spec>', 'journal file path, or redis://host:port for workers on many machines (default runs/<name>/study.jsonl)')
    .option('--worker', 'run trials only, against the shared storage (start one per process/machine)')
    .option('--trials <n>', 'complete + pruned trials the study should reach', integer('--trials'))
    .option('--parallel <n>', 'worker processes on this machine', integer('--parallel'))
    .option('--out <dir>', 'study folder (default runs/<name>; re-running resumes the study)')
    .action(async (config: string, o) => {
      const summary = await tuneCommand(config, { storage: o.storage, worker: o.worker, trials: o.trials, parallel: o.parallel, out: o.out }, { out: print, err: io.err });
      if (summary) print(formatTuneSummary(summary));
    });

  program
    .command('doctor')
    .description('diagnose a finished or running run from its learning curves (lr too low/high, decayed too early, overfitting, underfitting, train longer, divergence, update/weight ratios), with the evidence; writes <run>/doctor/report.html and .md')
    .argument('<run-dir>', 'run folder written by anneal fit, finetune or recipe')
    .option('--json', 'print the findings as JSON')
    .option('--no-report', 'do not write the report')
    .action(async (dir: string, o) => {
      const s = await doctorCommand(dir, { report: o.report });
      if (o.json) return print(JSON.stringify(s, null, 2));
      print(`${s.dir}: ${s.epochs} epochs, ${s.steps} steps${s.finished ? '' : ' (still running)'}`);
      print(s.findings.length ? formatFindings(s.findings) : 'no problem found in the learning curves');
      if (s.report) print(`report: ${s.report.html} and ${s.report.md}`);
    });

  program
    .command('recipe')
    .description('run the tuning recipe on a fit config: initial-loss check, overfit a small sample, lr probe and range test, coarse lr x weight-decay grid, refine the best longer, doctor, repeat with its suggestions; writes report.html and report.md with charts')
    .argument('[config]', 'recipe config (.json, .yaml)')
    .option('--out <dir>', 'recipe folder (default runs/<name>, or runs/<name>-N when taken)')
    .option('--until <step>', `stop after this step (${RECIPE_STEPS.join(', ')}); --resume goes on`)
    .option('--resume <dir>', 'continue the recipe saved in this folder')
    .option('--no-progress', 'no progress bars')
    .action(async (config: string | undefined, o) => {
      const s = await recipeCommand(config, { out: o.out, until: o.until, resume: o.resume, progress: showProgress(o) }, { out: print, err: io.err });
      print(formatRecipeSummary(s));
    });

  const ensemble = program.command('ensemble').description('ensembles: independent members, snapshot ensembles, export as one ONNX model');
  const combine = new Option('--combine <rule>', 'how member predictions are combined').choices(['mean-probability', 'mean-logit', 'vote']).default('mean-probability');
  ensemble
    .command('train')
    .description('train K members of a fit config from different seeds (same split), then score and export the ensemble')
    .argument('<config>', 'fit config (.json, .yaml)')
    .requiredOption('--members <k>', 'number of members', integer('--members'))
    .option('--parallel <n>', 'members trained at once in this process (1 ORT thread each)', integer('--parallel'))
    .option('--out <dir>', 'ensemble folder (default runs/<name>-ensemble)')
    .addOption(combine)
    .option('--no-progress', 'no progress bars')
    .action(async (config: string, o) => {
      print(formatEnsembleSummary(await ensembleTrainCommand(config, { members: o.members, parallel: o.parallel, out: o.out, combine: o.combine }, { out: print, err: io.err, progress: showProgress(o) })));
    });
  ensemble
    .command('snapshot')
    .description('one run with M cosine warm restarts, a snapshot at the end of each cycle, the last snapshots ensembled (Huang et al. 2017)')
    .argument('<config>', 'fit config (.json, .yaml); train.epochs must be a multiple of --cycles')
    .requiredOption('--cycles <m>', 'lr cycles (snapshots)', integer('--cycles'))
    .option('--keep <m>', 'ensemble the last m snapshots (default all)', integer('--keep'))
    .option('--out <dir>', 'ensemble folder (default runs/<name>-snapshots)')
    .addOption(combine)
    .option('--no-progress', 'no progress bars')
    .action(async (config: string, o) => {
      print(formatEnsembleSummary(await ensembleSnapshotCommand(config, { cycles: o.cycles, keep: o.keep, out: o.out, combine: o.combine }, { out: print, err: io.err, progress: showProgress(o) })));
    });
  ensemble
    .command('export')
    .description('rebuild and rescore ensemble.onnx of an ensemble folder (e.g. with another combine rule)')
    .argument('<dir>', 'folder written by anneal ensemble train or snapshot')
    .addOption(combine)
    .action(async (dir: string, o) => {
      print(formatEnsembleSummary(await ensembleExportCommand(dir, { combine: o.combine })));
    });

  const schedule = program.command('schedule').description('learning-rate and hyperparameter schedules');
  schedule
    .command('plot')
    .description('plot the schedules of a config over its steps (SVG and PNG)')
    .argument('<config>', 'fit config, or a file with `schedules` (and `steps`)')
    .option('--steps <n>', 'steps to plot', integer('--steps'))
    .option('--steps-per-epoch <n>', 'steps per epoch, for interval: epoch schedules', integer('--steps-per-epoch'))
    .option('--out <path>', 'output path without extension', 'schedule')
    .action(async (config: string, o) => {
      const r = await schedulePlotCommand(config, { steps: o.steps, stepsPerEpoch: o.stepsPerEpoch, out: o.out });
      print(`${r.steps} steps plotted: ${r.svg}, ${r.png}`);
    });
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: string[], io: CliIo = consoleIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    if (err.code?.startsWith('commander.')) return err.exitCode ?? 2;
    io.err(`anneal: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`);
    if (process.env.ANNEAL_DEBUG) io.err(String(err.stack));
    return e instanceof CliError ? 2 : 1;
  }
}

import cliProgress from 'cli-progress';
import { batches, loadMnist, readNpy, splitDataset, type ArrayDataset } from '@anneal/data';
import { DataType, readModelFile, saveModel, type ModelProto, type TensorValue } from '@anneal/onnx';
import { createSession } from '@anneal/runtime';
import { buildMlp, labelType, prepareModel, TrainSession, type LossSpec } from '@anneal/engine';
import type { Device } from '@anneal/runtime';
import type { Optimizer } from '@anneal/optim';
import type { BatchNormMode } from '@anneal/autograd';
import { CliError } from '../cli-error';

export interface TrainCommandOptions {
  model?: string;
  mlp?: number[];
  demo?: boolean;
  x?: string;
  y?: string;
  inputName?: string;
  loss: LossSpec['kind'];
  labelSmoothing?: number;
  optimizer: Optimizer;
  lr: number;
  weightDecay?: number;
  clip?: number;
  epochs: number;
  batchSize: number;
  valFraction: number;
  seed: number;
  device: Device;
  deviceId?: number;
  batchNorm?: BatchNormMode;
  out?: string;
  checkpoint?: string;
  progress: boolean;
}

/** Optimizer steps per session.run in `anneal train` (an ONNX Loop over stacked batches). */
const stepsPerRun = 16;

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  trainLossStd: number;
  valLoss?: number;
  valAccuracy?: number;
  seconds: number;
}

function dataset(o: TrainCommandOptions): ArrayDataset {
  if (o.demo && !o.x) return loadMnist();
  if (!o.x || !o.y) throw new CliError('give the training data as --x features.npy --y labels.npy (or use --demo for MNIST)');
  const x = readNpy(o.x);
  let y = readNpy(o.y);
  const want = labelType(lossSpec(o));
  if (y.dataType === DataType.INT32 && want === DataType.INT64) y = { ...y, dataType: DataType.INT64, data: BigInt64Array.from(y.data as Int32Array, (v) => BigInt(v)) };
  if (y.dataType !== want) throw new CliError(`${o.y}: labels are ${DataType[y.dataType]} but the ${o.loss} loss needs ${DataType[want]}`);
  if (x.dims[0] !== y.dims[0]) throw new CliError(`${o.x} has ${x.dims[0]} rows but ${o.y} has ${y.dims[0]}`);
  return { x, y };
}

function lossSpec(o: TrainCommandOptions): LossSpec {
  return o.loss === 'cross-entropy' ? { kind: 'cross-entropy', labelSmoothing: o.labelSmoothing } : o.loss === 'mse' ? { kind: 'mse' } : { kind: 'bce-with-logits' };
}

function model(o: TrainCommandOptions, features: number, classes: number): ModelProto {
  if (o.model) return prepareModel(o.model).model;
  const sizes = o.mlp ?? [features, 128, classes];
  if (sizes[0] !== features) throw new CliError(`--mlp starts with ${sizes[0]} inputs but the data has ${features} features per example`);
  return buildMlp({ sizes, seed: o.seed });
}

/** `anneal train`: trains a model on .npy data (or MNIST with --demo) and reports loss per epoch. */
export async function trainCommand(o: TrainCommandOptions, print: (line: string) => void, warn: (line: string) => void = print): Promise<EpochReport[]> {
  const all = dataset(o);
  const { train, val } = splitDataset(all, o.valFraction, o.seed);
  const features = all.x.dims.slice(1).reduce((a, b) => a * b, 1);
  const classes = o.loss === 'cross-entropy' ? Number((all.y.data as BigInt64Array).reduce((m, v) => (v > m ? v : m), 0n)) + 1 : all.y.dims[1] ?? 1;
  const net = model(o, features, classes);
  const inputName = o.inputName ?? net.graph.input.find((i) => !net.graph.initializer.some((t) => t.name === i.name))!.name;
  const batchOf = (b: ArrayDataset): Record<string, TensorValue> => ({ [inputName]: b.x, labels: b.y });
  const first = batches(train, { batchSize: Math.max(2, Math.min(o.batchSize, train.x.dims[0]!)) }).next().value!;
  const session = await TrainSession.create({
    model: net,
    loss: lossSpec(o),
    optimizer: { optimizer: o.optimizer, lr: o.lr, weightDecay: o.weightDecay, maxGradNorm: o.clip },
    sample: batchOf(first),
    device: o.device,
    deviceId: o.deviceId,
    intraOpThreads: 'auto',
    batchNorm: o.batchNorm,
    onWarning: (w) => warn(`warning: ${w.kind} (${w.requested} -> ${w.used}): ${w.reason}`),
  });
  print(`training ${session.trainStep.params.length} tensors with ${session.update.optimizer} on ${session.device}: ${train.x.dims[0]} train / ${val.x.dims[0]} val examples, batch ${o.batchSize}, ${o.epochs} epochs`);
  const reports: EpochReport[] = [];
  const stepsPerEpoch = Math.ceil(train.x.dims[0]! / o.batchSize);
  const bar = o.progress ? new cliProgress.SingleBar({ format: 'epoch {epoch} [{bar}] {value}/{total} loss {loss}', stream: process.stderr, clearOnComplete: true, hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const start = performance.now();
    const losses: number[] = [];
    bar?.start(stepsPerEpoch, 0, { epoch, loss: '-' });
    // groups of up to 16 batches run as one ONNX Loop (stepMany): same results as single steps, fewer runs
    const epochBatches = [...batches(train, { batchSize: o.batchSize, shuffle: true, seed: o.seed, epoch })].map(batchOf);
    for (let i = 0; i < epochBatches.length; i += stepsPerRun) {
      const group = await session.stepMany(epochBatches.slice(i, i + stepsPerRun));
      losses.push(...group.losses);
      bar?.increment(group.losses.length, { loss: group.losses[group.losses.length - 1]!.toFixed(4) });
    }
    bar?.stop();
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    const std = Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / losses.length);
    const ev = val.x.dims[0]! > 0 ? await session.evaluate([...batches(val, { batchSize: 1024 })].map(batchOf)) : undefined;
    const r: EpochReport = { epoch, trainLoss: mean, trainLossStd: std, valLoss: ev?.loss, valAccuracy: ev?.accuracy, seconds: (performance.now() - start) / 1000 };
    reports.push(r);
    print(
      `epoch ${epoch}/${o.epochs}  train loss ${mean.toFixed(4)} ± ${std.toFixed(4)}` +
        (ev ? `  val loss ${ev.loss.toFixed(4)}` : '') +
        (ev?.accuracy !== undefined ? `  val acc ${(ev.accuracy * 100).toFixed(2)}%` : '') +
        `  (${r.seconds.toFixed(2)} s)`,
    );
  }
  if (o.checkpoint) {
    await session.saveCheckpoint(o.checkpoint, { epoch: String(o.epochs) });
    print(`checkpoint: ${o.checkpoint}`);
  }
  if (o.out) {
    saveModel(o.out, await session.exportInference(net));
    print(`inference model: ${o.out}`);
    if (o.loss === 'cross-entropy' && val.x.dims[0]! > 0) {
      const acc = await accuracyOfSavedModel(o.out, inputName, val);
      print(`re-check: the saved model alone (a fresh ONNX Runtime session) scores ${(acc * 100).toFixed(2)}% on the validation split`);
    }
  }
  await session.release();
  return reports;
}

/** Accuracy of an inference model file on a labelled split, in a session of its own. */
async function accuracyOfSavedModel(file: string, inputName: string, data: ArrayDataset): Promise<number> {
  const session = await createSession(readModelFile(file), { device: 'cpu' });
  const out = await session.run({ [inputName]: data.x });
  await session.release();
  const logits = out[session.outputNames[0]!]!;
  const classes = logits.dims[1]!;
  const values = logits.data as Float32Array;
  const labels = data.y.data as BigInt64Array;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[i * classes + c]! > values[i * classes + best]!) best = c;
    if (BigInt(best) === labels[i]) correct++;
  }
  return correct / labels.length;
}

// An MNIST MLP trained through the engine API (TrainSession), as a PBT member and as a TPE trial.
import { batches, loadMnist, splitTrainValTest, type ArrayDataset } from '@anneal/data';
import { buildMlp, TrainSession } from '@anneal/engine';
import type { TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { loadCheckpoint } from '@anneal/runtime';
import type { ParamValue, PbtMember } from '@anneal/search';

/** 8,000 training, 1,000 validation and 1,000 test digits (seeded, stratified split of the 10,000 real MNIST digits). */
export interface MnistData {
  readonly train: ArrayDataset;
  readonly val: readonly Record<string, TensorValue>[];
  readonly test: readonly Record<string, TensorValue>[];
}

const feed = (b: ArrayDataset): Record<string, TensorValue> => ({ x: b.x, labels: b.y });
export const BATCH = 64;

export function mnistData(seed: number): MnistData {
  const split = splitTrainValTest(loadMnist(), { val: 1000, test: 1000, seed, stratify: true });
  return { train: split.train, val: [...batches(split.val, { batchSize: 500 })].map(feed), test: [...batches(split.test!, { batchSize: 500 })].map(feed) };
}

/** Options of one MLP. */
export interface MlpOptions {
  readonly hidden: number;
  /** Initial weights seed. */
  readonly init: number;
  /** Seed of the epoch shuffles. */
  readonly shuffle: number;
}

/** One MLP 784-hidden-10 trained with SGD + momentum, one epoch per interval. */
export class MnistMlp {
  private constructor(
    readonly session: TrainSession,
    private readonly data: MnistData,
    private readonly options: MlpOptions,
  ) {}

  static async create(data: MnistData, options: MlpOptions): Promise<MnistMlp> {
    const sample = feed([...batches(data.train, { batchSize: BATCH })][0]!);
    const session = await TrainSession.create({ model: buildMlp({ sizes: [784, options.hidden, 10], seed: options.init }), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.1 }, sample, intraOpThreads: 1 });
    return new MnistMlp(session, data, options);
  }

  get stepsPerEpoch(): number {
    return Math.floor(this.data.train.y.dims[0]! / BATCH);
  }

  /** Trains the next epoch (which one follows from the step count, so a restored checkpoint continues exactly); `lr(k)` is the lr of its k-th step. */
  async epoch(lr: (k: number) => number, momentum: number): Promise<void> {
    const epoch = Math.round(this.session.steps / this.stepsPerEpoch);
    const list = [...batches(this.data.train, { batchSize: BATCH, shuffle: true, seed: this.options.shuffle, epoch, dropLast: true })].map(feed);
    await this.session.stepMany(list, list.map((_, k) => ({ lr: lr(k), values: { 'hp.momentum': momentum } })));
  }

  async accuracy(which: 'val' | 'test'): Promise<number> {
    return (await this.session.evaluate(which === 'val' ? this.data.val : this.data.test)).accuracy!;
  }

  /** Parameter count of the MLP. */
  get parameters(): number {
    return 784 * this.options.hidden + this.options.hidden + this.options.hidden * 10 + 10;
  }
}

/** A PBT member over an MnistMlp: hyperparameters lr and momentum, constant within an interval; score = validation accuracy. */
export async function mnistMember(data: MnistData, options: MlpOptions, testScores: Map<string, number>, member: number): Promise<PbtMember> {
  const mlp = await MnistMlp.create(data, options);
  let lr = 0.1;
  let momentum = 0.9;
  return {
    async train() {
      const generation = Math.round(mlp.session.steps / mlp.stepsPerEpoch);
      await mlp.epoch(() => lr, momentum);
      testScores.set(`${member}/${generation}`, await mlp.accuracy('test'));
      return mlp.accuracy('val');
    },
    save: (path) => mlp.session.saveCheckpoint(path, { step: String(mlp.session.steps) }),
    async load(path) {
      const { tensors, metadata } = loadCheckpoint(path);
      await mlp.session.restoreState(tensors, Number(metadata.step));
    },
    hyperparameters: () => ({ lr, momentum }),
    setHyperparameters(h: Readonly<Record<string, ParamValue>>) {
      lr = h.lr as number;
      momentum = h.momentum as number;
    },
    release: () => mlp.session.release(),
  };
}

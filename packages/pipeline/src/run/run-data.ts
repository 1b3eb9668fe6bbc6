import { DataType } from '@anneal/onnx';
import type { BatchSource } from '@anneal/core';
import { classCounts, DataLoader, splitTrainValTest, type ArrayDataset } from '@anneal/data';
import type { TensorValue } from '@anneal/onnx';
import type { FitConfig } from '../config/fit-config.js';
import type { AnnealRegistry } from '../kinds.js';

/**
 * The datasets and loaders of a run: `val` is what epochs are validated on (absent with
 * `data.split.val: 0`); `test` is only evaluated once, after training.
 */
export interface RunData {
  /** The training examples: the sample the step compiles with, sizes, BatchNorm refreshes. */
  train: DataLoader;
  /**
   * What the Trainer trains on when it is not `train`'s batches (augmented images decoded in
   * worker threads); the same number of batches per epoch, in an order of (seed, epoch) only.
   */
  trainBatches?: BatchSource;
  /** A batch shaped as `trainBatches`' when its labels differ from `train`'s (mixed soft targets): the step compiles with it. */
  trainSample?: Record<string, TensorValue>;
  val?: DataLoader;
  test: DataLoader;
  classes: number;
  /** Per-example input dims (without the batch axis). */
  inputDims: number[];
  sizes: { train: number; val: number; test: number };
}

/** The parts of a split dataset. */
export interface DataParts {
  train: ArrayDataset;
  val?: ArrayDataset;
  test: ArrayDataset;
}

/** A run's examples, split, before they are wrapped in loaders for the model's input. */
export interface RunParts {
  parts: DataParts;
  classes: number;
}

/** Splits examples into train / (val) / test as `split` says, seeded. */
export function splitParts(ds: ArrayDataset, split: FitConfig['data']['split']): DataParts {
  if (split.val > 0) {
    const p = splitTrainValTest(ds, { val: split.val, test: split.test, seed: split.seed, stratify: split.stratify });
    return { train: p.train, val: p.val, test: p.test! };
  }
  // `val: 0`: no validation split; the test part is taken as a two-way split's second part
  const p = splitTrainValTest(ds, { val: split.test, seed: split.seed, stratify: split.stratify });
  return { train: p.train, test: p.val };
}

/**
 * Loads the configured examples through their data-source plugin and splits them (seeded).
 * `image` asks sources that can for [C, H, W] examples (the model wants images).
 */
export async function loadRunParts(registry: AnnealRegistry, config: Pick<FitConfig, 'data'>, options: { baseDir: string; image: boolean }): Promise<RunParts> {
  const ds = await registry.build('data-source', config.data.source, 'data.source', options);
  return { parts: splitParts(ds, config.data.split), classes: classesOf(ds) };
}

/** The class count of a dataset: K for float class probabilities [N, K] (soft targets), else what its class ids imply. */
function classesOf(ds: ArrayDataset): number {
  const { dims, dataType } = ds.y;
  return dims.length === 2 && dims[1]! > 1 && (dataType === DataType.FLOAT || dataType === DataType.DOUBLE) ? dims[1]! : classCounts(ds).length;
}

/** Loaders over split parts: training batches shuffled by (run seed, epoch), evaluation batches in order. */
export function dataLoaders(parts: DataParts, config: Pick<FitConfig, 'data' | 'seed'>, inputName: string, classes: number): RunData {
  const { batchSize, evalBatchSize, dropLast } = config.data;
  const train = new DataLoader(parts.train, { batchSize, shuffle: true, seed: config.seed, dropLast, inputName });
  const test = new DataLoader(parts.test, { batchSize: evalBatchSize, inputName });
  const val = parts.val ? new DataLoader(parts.val, { batchSize: evalBatchSize, inputName }) : undefined;
  return {
    train,
    val,
    test,
    classes,
    inputDims: parts.train.x.dims.slice(1),
    sizes: { train: train.size, val: val?.size ?? 0, test: test.size },
  };
}

/** `1080 train / 120 val / 300 test examples (stratified, seed 0); the test split is evaluated once, after training`. */
export function splitLine(data: RunData, split: FitConfig['data']['split']): string {
  const val = data.val ? `${data.sizes.val} val` : 'no val (data.split.val is 0)';
  return `${data.sizes.train} train / ${val} / ${data.sizes.test} test examples (${split.stratify ? 'stratified, ' : ''}seed ${split.seed}); the test split is evaluated once, after training`;
}

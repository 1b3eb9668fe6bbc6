import { classCounts, DataLoader, splitTrainValTest, type ArrayDataset } from '@anneal/data';
import type { FitConfig } from '../config/fit-config.js';
import type { AnnealRegistry } from '../kinds.js';

/** The datasets and loaders of a run. `val` is the validation split, or the test split when the config has none (then charts label it as such). */
export interface RunData {
  train: DataLoader;
  val?: DataLoader;
  test: DataLoader;
  /** Which split the per-epoch validation metrics come from. */
  valSplit: 'val' | 'test';
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
  // no validation split: the test part is the last `test` rows of the seeded permutation (as splitDataset takes them)
  const p = splitTrainValTest(ds, { val: split.test, seed: split.seed, stratify: split.stratify });
  return { train: p.train, test: p.val };
}

/**
 * Loads the configured examples through their data-source plugin and splits them (seeded).
 * `image` asks sources that can for [C, H, W] examples (the model wants images).
 */
export async function loadRunParts(registry: AnnealRegistry, config: Pick<FitConfig, 'data'>, options: { baseDir: string; image: boolean }): Promise<RunParts> {
  const ds = await registry.build('data-source', config.data.source, 'data.source', options);
  return { parts: splitParts(ds, config.data.split), classes: classCounts(ds).length };
}

/** Loaders over split parts: training batches shuffled by (run seed, epoch), evaluation batches in order. */
export function dataLoaders(parts: DataParts, config: Pick<FitConfig, 'data' | 'seed'>, inputName: string, classes: number): RunData {
  const { batchSize, evalBatchSize, dropLast } = config.data;
  const train = new DataLoader(parts.train, { batchSize, shuffle: true, seed: config.seed, dropLast, inputName });
  const test = new DataLoader(parts.test, { batchSize: evalBatchSize, inputName });
  const val = parts.val ? new DataLoader(parts.val, { batchSize: evalBatchSize, inputName }) : undefined;
  return {
    train,
    val: val ?? test,
    test,
    valSplit: val ? 'val' : 'test',
    classes,
    inputDims: parts.train.x.dims.slice(1),
    sizes: { train: train.size, val: val?.size ?? 0, test: test.size },
  };
}

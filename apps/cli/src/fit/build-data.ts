import { classCounts, DataLoader, loadCsv, loadIris, loadMnist, loadNpyDataset, selectClasses, splitTrainValTest, type ArrayDataset } from '@anneal/data';

import type { FitConfig } from './config-schema';

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

/** Loads the examples of a configured source (MNIST as images when `image` or the source says so). */
export function loadSource(s: FitConfig['data']['source'], image = false): ArrayDataset {
  switch (s.kind) {
    case 'mnist': {
      const ds = loadMnist({ perDigit: s.perDigit, image: s.image || image });
      return s.digits ? selectClasses(ds, s.digits) : ds;
    }
    case 'iris':
      return loadIris();
    case 'csv':
      return loadCsv(s.path, { label: s.label, features: s.features, delimiter: s.delimiter, header: s.header });
    case 'npy':
      return loadNpyDataset({ x: s.x, y: s.y });
  }
}

/** The parts of a split dataset. */
export interface DataParts {
  train: ArrayDataset;
  val?: ArrayDataset;
  test: ArrayDataset;
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
 * Loads the configured examples, splits them (seeded) and wraps the parts in loaders: training
 * batches shuffled by (run seed, epoch), evaluation batches in order.
 */
export function buildData(config: FitConfig, inputName: string): RunData {
  const ds = loadSource(config.data.source, config.model.kind === 'cnn');
  return dataLoaders(splitParts(ds, config.data.split), config, inputName, classCounts(ds).length);
}

/** Loaders over split parts: training batches shuffled by (run seed, epoch), evaluation batches in order. */
export function dataLoaders(parts: DataParts, config: Pick<FitConfig, 'data' | 'seed'>, inputName: string, classes: number): RunData {
  const { batchSize, evalBatchSize, dropLast } = config.data;
  const train = new DataLoader(parts.train, { batchSize, shuffle: true, seed: config.seed, dropLast, inputName });
  const test = new DataLoader(parts.test, { batchSize: evalBatchSize, inputName });
  const val = parts.val ? new DataLoader(parts.val, { batchSize: evalBatchSize, inputName }) : undefined;
  const hasVal = val !== undefined;
  return {
    train,
    val: val ?? test,
    test,
    valSplit: hasVal ? 'val' : 'test',
    classes,
    inputDims: parts.train.x.dims.slice(1),
    sizes: { train: train.size, val: val?.size ?? 0, test: test.size },
  };
}

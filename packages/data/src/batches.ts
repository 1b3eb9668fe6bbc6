import { permutation } from './random.js';
import { datasetSize, subset, type ArrayDataset } from './array-dataset.js';

/**
 * The row order of one epoch: a seeded permutation that depends only on (seed, epoch) when
 * `shuffle` is set, the identity otherwise. `batches` and `DataLoader` share it, so both visit
 * the same rows in the same order for the same seed and epoch.
 * @example const rows = epochOrder(100, { shuffle: true, seed: 7, epoch: 3 });
 */
export function epochOrder(n: number, options: { shuffle?: boolean; seed?: number; epoch?: number }): Int32Array {
  if (!options.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
  return permutation(n, (options.seed ?? 0) * 100_003 + (options.epoch ?? 0));
}

/**
 * Mini-batches of a dataset, reshuffled each epoch from (`seed`, `epoch`) when `shuffle` is set.
 * The last partial batch is kept unless `dropLast`.
 * @example for (const b of batches(ds, { batchSize: 32, shuffle: true, seed: 1, epoch: 0 })) use(b.x, b.y);
 */
export function* batches(ds: ArrayDataset, options: { batchSize: number; shuffle?: boolean; seed?: number; epoch?: number; dropLast?: boolean }): Generator<ArrayDataset> {
  const n = datasetSize(ds);
  const order = epochOrder(n, options);
  for (let start = 0; start < n; start += options.batchSize) {
    const end = Math.min(n, start + options.batchSize);
    if (options.dropLast && end - start < options.batchSize) break;
    yield subset(ds, order.subarray(start, end));
  }
}

import { DataType, sizeOf, type TensorValue, type TypedArray } from '@anneal/onnx';
import { DataError } from './errors';
import { permutation } from './random';

/** Examples stacked along axis 0: features x [N, ...] and targets y [N, ...]. */
export interface ArrayDataset {
  x: TensorValue;
  y: TensorValue;
}

/** Number of examples, checking x and y agree. */
export function datasetSize(ds: ArrayDataset): number {
  const n = ds.x.dims[0] ?? 0;
  if ((ds.y.dims[0] ?? 0) !== n) throw new DataError('<dataset>', `x has ${n} examples but y has ${ds.y.dims[0]}; they must match along axis 0`);
  return n;
}

function gatherRows(v: TensorValue, rows: ArrayLike<number>): TensorValue {
  const rowSize = sizeOf(v.dims.slice(1));
  const Ctor = v.data.constructor as { new (n: number): TypedArray };
  const out = new Ctor(rows.length * rowSize);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    (out as Float32Array).set((v.data as Float32Array).subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
  return { dataType: v.dataType, dims: [rows.length, ...v.dims.slice(1)], data: out };
}

/** A subset of rows. */
export function subset(ds: ArrayDataset, rows: ArrayLike<number>): ArrayDataset {
  return { x: gatherRows(ds.x, rows), y: gatherRows(ds.y, rows) };
}

/** Seeded train/validation split: the last `fraction` of a seeded permutation becomes validation. */
export function splitDataset(ds: ArrayDataset, fraction: number, seed: number): { train: ArrayDataset; val: ArrayDataset } {
  const n = datasetSize(ds);
  const p = permutation(n, seed);
  const nVal = Math.round(n * fraction);
  return { train: subset(ds, p.subarray(0, n - nVal)), val: subset(ds, p.subarray(n - nVal)) };
}

/**
 * Mini-batches of a dataset, reshuffled each epoch by `seed + epoch` when `shuffle` is set.
 * The last partial batch is kept unless `dropLast`.
 */
export function* batches(ds: ArrayDataset, options: { batchSize: number; shuffle?: boolean; seed?: number; epoch?: number; dropLast?: boolean }): Generator<ArrayDataset> {
  const n = datasetSize(ds);
  const order = options.shuffle ? permutation(n, (options.seed ?? 0) * 100_003 + (options.epoch ?? 0)) : Int32Array.from({ length: n }, (_, i) => i);
  for (let start = 0; start < n; start += options.batchSize) {
    const end = Math.min(n, start + options.batchSize);
    if (options.dropLast && end - start < options.batchSize) break;
    yield subset(ds, order.subarray(start, end));
  }
}

/** int64 labels from numbers. */
export function int64Labels(labels: ArrayLike<number>): TensorValue {
  return { dataType: DataType.INT64, dims: [labels.length], data: BigInt64Array.from(Array.from(labels), (v) => BigInt(v)) };
}

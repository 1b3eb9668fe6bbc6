import { DataType, sizeOf, type TensorValue, type TypedArray } from '@anneal/onnx';
import { DataError } from './errors.js';

/** Examples stacked along axis 0: features x [N, ...] and targets y [N, ...]. */
export interface ArrayDataset {
  x: TensorValue;
  y: TensorValue;
}

/**
 * Number of examples, checking x and y agree.
 * @example const n = datasetSize(ds); // ds.x.dims[0]
 */
export function datasetSize(ds: ArrayDataset): number {
  const n = ds.x.dims[0] ?? 0;
  if ((ds.y.dims[0] ?? 0) !== n) throw new DataError('<dataset>', `x has ${n} rows but y has ${ds.y.dims[0] ?? 0}; they must match along axis 0`);
  return n;
}

/** Copies the given rows (axis 0) of a tensor into a new tensor, in the given order. */
export function gatherRows(v: TensorValue, rows: ArrayLike<number>): TensorValue {
  const rowSize = sizeOf(v.dims.slice(1));
  const Ctor = v.data.constructor as { new (n: number): TypedArray };
  const out = new Ctor(rows.length * rowSize);
  // every TypedArray variant has set/subarray; the cast only picks one signature for the compiler
  const src = v.data as Float32Array;
  const dst = out as Float32Array;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    dst.set(src.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
  return { dataType: v.dataType, dims: [rows.length, ...v.dims.slice(1)], data: out };
}

/**
 * A subset of rows, in the order given.
 * @example const firstTen = subset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 */
export function subset(ds: ArrayDataset, rows: ArrayLike<number>): ArrayDataset {
  return { x: gatherRows(ds.x, rows), y: gatherRows(ds.y, rows) };
}

/**
 * int64 labels [N] from numbers.
 * @example const y = int64Labels([0, 2, 1]);
 */
export function int64Labels(labels: ArrayLike<number>): TensorValue {
  return { dataType: DataType.INT64, dims: [labels.length], data: BigInt64Array.from(Array.from(labels), (v) => BigInt(v)) };
}

import { DataType, sizeOf, type TensorValue } from '@anneal/onnx';
import { DataError } from './errors.js';
import { int64Labels, type ArrayDataset } from './array-dataset.js';

/** Names used in the messages of `checkDataset`: where the data came from and what x and y are called. */
export interface DatasetNames {
  where: string;
  x: string;
  y: string;
}

function firstNonFinite(v: TensorValue): number {
  if (v.dataType !== DataType.FLOAT && v.dataType !== DataType.DOUBLE) return -1;
  const d = v.data as Float32Array | Float64Array;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return i;
  return -1;
}

/** Checks a features/targets pair: non-empty, consistent sizes, one row per example, finite floats. */
export function checkDataset(x: TensorValue, y: TensorValue, names: DatasetNames): void {
  for (const [v, name] of [[x, names.x], [y, names.y]] as const) {
    if (v.dims.length === 0) throw new DataError(names.where, `${name} is a scalar; it needs a leading axis with one row per example`);
    if (v.data.length !== sizeOf(v.dims)) throw new DataError(names.where, `${name} has shape [${v.dims.join(', ')}] (${sizeOf(v.dims)} values) but holds ${v.data.length} values`);
  }
  const n = x.dims[0]!;
  const m = y.dims[0]!;
  if (n === 0) throw new DataError(names.where, `dataset is empty (${names.x} has 0 rows); give at least one example`);
  if (n !== m) throw new DataError(names.where, `${names.x} has ${n} rows but ${names.y} has ${m}; features and labels need one row per example`);
  for (const [v, name] of [[x, names.x], [y, names.y]] as const) {
    const at = firstNonFinite(v);
    if (at < 0) continue;
    const rowSize = sizeOf(v.dims.slice(1));
    throw new DataError(names.where, `${name} row ${Math.floor(at / rowSize)}, column ${at % rowSize} is ${v.data[at]}, not a finite number; drop or impute missing values first`);
  }
}

/**
 * A dataset from two tensors, checked: non-empty, the same number of rows, finite float values.
 * @example const ds = tensorDataset(readNpy('x.npy'), readNpy('y.npy'), 'my data');
 */
export function tensorDataset(x: TensorValue, y: TensorValue, where = '<dataset>'): ArrayDataset {
  checkDataset(x, y, { where, x: 'x', y: 'y' });
  return { x, y };
}

/** Labels as a y tensor: int64 class ids (integers required) or float32 regression targets. */
export function labelTensor(labels: ArrayLike<number>, labelType: 'int64' | 'float', where: string): TensorValue {
  if (labelType === 'float') return { dataType: DataType.FLOAT, dims: [labels.length], data: Float32Array.from(labels) };
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i])) throw new DataError(where, `label ${labels[i]} at row ${i} is not an integer class id; use labelType 'float' for regression targets`);
  }
  return int64Labels(labels);
}

/** Features given as rows (`number[][]`) or as a flat buffer with its shape. */
export type FeatureInput = readonly (readonly number[])[] | { data: ArrayLike<number>; dims: readonly number[] };

function featureTensor(features: FeatureInput, where: string): TensorValue {
  if (!Array.isArray(features)) {
    const { data, dims } = features as { data: ArrayLike<number>; dims: readonly number[] };
    if (data.length !== sizeOf(dims)) throw new DataError(where, `features have dims [${dims.join(', ')}] (${sizeOf(dims)} values) but data holds ${data.length} values`);
    return { dataType: DataType.FLOAT, dims: [...dims], data: Float32Array.from(data) };
  }
  const rows = features as readonly (readonly number[])[];
  if (rows.length === 0) throw new DataError(where, 'dataset is empty (no feature rows); give at least one example');
  const width = rows[0]!.length;
  if (width === 0) throw new DataError(where, 'row 0 has no values; every row needs at least one feature');
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width) throw new DataError(where, `row ${r} has ${row.length} values, expected ${width} like row 0; every row needs the same number of features`);
    for (let c = 0; c < width; c++) {
      const v = row[c]!;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(where, `row ${r}, column ${c} is ${String(v)}, not a finite number; drop or impute missing values first`);
      out[r * width + c] = v;
    }
  });
  return { dataType: DataType.FLOAT, dims: [rows.length, width], data: out };
}

/**
 * A dataset from plain JavaScript arrays: x float32 [N, F] (or the given dims), y int64 [N]
 * class ids (default) or float32 [N] targets with `labelType: 'float'`.
 * Throws DataError for empty data, ragged rows, non-finite values, non-integer class ids and
 * mismatched lengths.
 * @example const ds = fromArrays([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]);
 */
export function fromArrays(features: FeatureInput, labels: ArrayLike<number>, options: { labelType?: 'int64' | 'float'; where?: string } = {}): ArrayDataset {
  const where = options.where ?? '<arrays>';
  const x = featureTensor(features, where);
  if (x.dims.length === 0) throw new DataError(where, 'features are a scalar; give one row per example');
  if (x.dims[0] !== labels.length) {
    if (x.dims[0] === 0) throw new DataError(where, 'dataset is empty (no feature rows); give at least one example');
    throw new DataError(where, `features have ${x.dims[0]} rows but labels have ${labels.length}; features and labels need one row per example`);
  }
  const y = labelTensor(labels, options.labelType ?? 'int64', where);
  checkDataset(x, y, { where, x: 'features', y: 'labels' });
  return { x, y };
}

import { DataType, type TensorValue } from '@anneal/onnx';
import { DataError } from './errors.js';
import type { ArrayDataset } from './array-dataset.js';

/**
 * Class ids of a label tensor as numbers: y must be [N] or [N, 1] of an integer type, or of a
 * float type holding integers.
 */
export function classIds(y: TensorValue, where = '<dataset>'): number[] {
  if (y.dims.length > 2 || (y.dims.length === 2 && y.dims[1] !== 1) || y.dims.length === 0) {
    throw new DataError(where, `labels have shape [${y.dims.join(', ')}]; class labels must be [N] or [N, 1] class ids (one-hot or multi-output targets are not class ids)`);
  }
  const isFloat = y.dataType === DataType.FLOAT || y.dataType === DataType.DOUBLE;
  const out = Array.from(y.data as ArrayLike<number | bigint>, Number);
  if (isFloat) {
    out.forEach((v, row) => {
      if (!Number.isInteger(v)) throw new DataError(where, `label ${v} at row ${row} is not an integer class id; float labels can only be used as classes when they hold whole numbers`);
    });
  }
  return out;
}

/**
 * Throws unless every label is an integer class id in [0, numClasses).
 * @example checkLabels(ds, 10, 'train.npy'); // DataError: 'label 12 at row 57 is out of range [0, 10)'
 */
export function checkLabels(ds: ArrayDataset, numClasses: number, where = '<dataset>'): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new DataError(where, `numClasses must be a positive integer, got ${numClasses}`);
  const ids = classIds(ds.y, where);
  const row = ids.findIndex((v) => v < 0 || v >= numClasses);
  if (row >= 0) {
    const v = ids[row]!;
    const fix = v < 0 ? 'class ids start at 0' : `the model has ${numClasses} classes; raise numClasses to at least ${v + 1} or fix the labels`;
    throw new DataError(where, `label ${v} at row ${row} is out of range [0, ${numClasses}); ${fix}`);
  }
}

/**
 * Number of examples of each class 0..K-1, with K = `numClasses` or the largest label + 1.
 * @example classCounts(loadIris()); // [50, 50, 50]
 */
export function classCounts(ds: ArrayDataset, numClasses?: number, where = '<dataset>'): number[] {
  const ids = classIds(ds.y, where);
  if (numClasses !== undefined) checkLabels(ds, numClasses, where);
  else {
    const row = ids.findIndex((v) => v < 0);
    if (row >= 0) throw new DataError(where, `label ${ids[row]} at row ${row} is negative; class ids start at 0`);
  }
  const k = numClasses ?? ids.reduce((m, v) => Math.max(m, v + 1), 0);
  const counts = new Array<number>(k).fill(0);
  for (const v of ids) counts[v]!++;
  return counts;
}

import { DataType, type TensorValue } from '@anneal/onnx';
import { DataError } from './errors.js';
import type { ArrayDataset } from './array-dataset.js';

/** Most classes a label tensor may imply without declaring them: max(this, 10 x its distinct labels). */
export const MIN_CLASS_BOUND = 1000;
/** Most classes a run may declare or imply at all (a class count sizes per-class arrays). */
export const MAX_CLASSES = 1_000_000;

const RELABEL = 'relabel the classes to consecutive ids 0..K-1 (numpy: y = np.unique(y, return_inverse=True)[1])';

/**
 * Class ids of a label tensor as numbers: y must be [N] or [N, 1] of an integer type, or of a
 * float type holding integers, and every id an integer >= 0 (-1 is refused, never taken as the
 * last class).
 * @throws DataError naming `where` and the first bad row
 */
export function classIds(y: TensorValue, where = '<dataset>'): number[] {
  if (y.dims.length > 2 || (y.dims.length === 2 && y.dims[1] !== 1) || y.dims.length === 0) {
    throw new DataError(where, `labels have shape [${y.dims.join(', ')}]; class labels must be [N] or [N, 1] class ids (one-hot or multi-output targets are not class ids)`);
  }
  const isFloat = y.dataType === DataType.FLOAT || y.dataType === DataType.DOUBLE;
  const out = Array.from(y.data as ArrayLike<number | bigint>, Number);
  out.forEach((v, row) => {
    if (isFloat && !Number.isInteger(v)) throw new DataError(where, `label ${v} at row ${row} is not an integer class id; float labels can only be used as classes when they hold whole numbers`);
    if (v < 0) throw new DataError(where, `label ${v} at row ${row} is negative; class ids start at 0 (-1 is not 'the last class'): ${RELABEL}`);
  });
  return out;
}

/**
 * The number of classes class ids imply: the largest id + 1, bounded by the data. K may be at
 * most max({@link MIN_CLASS_BOUND}, 10 x the number of distinct ids) (and {@link MAX_CLASSES}):
 * one stray label of 1e9 would otherwise make a billion classes. Labels that really skip that
 * many ids must be relabelled, or their class count declared (`classCounts(ds, numClasses)`).
 * @throws DataError naming `where`, the offending label and its row, and how to fix it
 * @example classCount([0, 2, 1, 2], 'y.npy'); // 3
 */
export function classCount(ids: readonly number[], where = '<dataset>', describeRow: (row: number) => string = (row) => `row ${row}`): number {
  let maxRow = -1;
  ids.forEach((v, row) => {
    if (maxRow < 0 || v > ids[maxRow]!) maxRow = row;
  });
  if (maxRow < 0) return 0;
  const k = ids[maxRow]! + 1;
  const distinct = new Set(ids).size;
  const bound = Math.min(MAX_CLASSES, Math.max(MIN_CLASS_BOUND, 10 * distinct));
  if (k > bound) {
    throw new DataError(
      where,
      `label ${ids[maxRow]} at ${describeRow(maxRow)} would make ${k} classes, but the labels hold only ${distinct} distinct class ids; a class count may be at most max(${MIN_CLASS_BOUND}, 10 x distinct ids) = ${bound}: ${RELABEL}`,
    );
  }
  return k;
}

/**
 * Throws unless every label is an integer class id in [0, numClasses).
 * @example checkLabels(ds, 10, 'train.npy'); // DataError: 'label 12 at row 57 is out of range [0, 10)'
 */
export function checkLabels(ds: ArrayDataset, numClasses: number, where = '<dataset>'): void {
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > MAX_CLASSES) throw new DataError(where, `numClasses must be an integer in [1, ${MAX_CLASSES}], got ${numClasses}`);
  const ids = classIds(ds.y, where);
  const row = ids.findIndex((v) => v >= numClasses);
  if (row >= 0) {
    const v = ids[row]!;
    throw new DataError(where, `label ${v} at row ${row} is out of range [0, ${numClasses}); the model has ${numClasses} classes; raise numClasses to at least ${v + 1} or fix the labels`);
  }
}

/**
 * Number of examples of each class 0..K-1, with K = `numClasses` (declared) or the largest label
 * + 1 ({@link classCount}: bounded by the number of distinct labels).
 * @example classCounts(loadIris()); // [50, 50, 50]
 */
export function classCounts(ds: ArrayDataset, numClasses?: number, where = '<dataset>'): number[] {
  if (numClasses !== undefined) checkLabels(ds, numClasses, where);
  const ids = classIds(ds.y, where);
  const k = numClasses ?? classCount(ids, where);
  const counts = new Array<number>(k).fill(0);
  for (const v of ids) counts[v]!++;
  return counts;
}

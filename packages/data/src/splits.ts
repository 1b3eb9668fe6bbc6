import { DataType } from '@anneal/onnx';
import { DataError } from './errors.js';
import { permutation } from './random.js';
import { datasetSize, subset, type ArrayDataset } from './array-dataset.js';
import { classIds } from './labels.js';
import { apportion } from './apportion.js';

/**
 * Seeded train/validation split: the last `fraction` of a seeded permutation becomes validation.
 * @example const { train, val } = splitDataset(ds, 0.2, 42);
 */
export function splitDataset(ds: ArrayDataset, fraction: number, seed: number): { train: ArrayDataset; val: ArrayDataset } {
  const n = datasetSize(ds);
  const p = permutation(n, seed);
  const nVal = Math.round(n * fraction);
  return { train: subset(ds, p.subarray(0, n - nVal)), val: subset(ds, p.subarray(n - nVal)) };
}

/** Options of `splitTrainValTest`: sizes are fractions in (0, 1) or whole counts >= 1. */
export interface SplitOptions {
  val: number;
  test?: number;
  seed: number;
  /** Keep each class's share the same in every split (labels must be class ids). */
  stratify?: boolean;
}

/** The three parts of a split; `test` is present when the options asked for one. */
export interface TrainValTest {
  train: ArrayDataset;
  val: ArrayDataset;
  test?: ArrayDataset;
}

function rowCount(size: number, n: number, name: string): number {
  const fix = `give a fraction in (0, 1) or a whole number of rows >= 1`;
  if (!Number.isFinite(size) || size <= 0) throw new DataError('splitTrainValTest', `${name} is ${size}; ${fix}`);
  if (size < 1) {
    const count = Math.round(n * size);
    if (count === 0) throw new DataError('splitTrainValTest', `${name} fraction ${size} of ${n} examples rounds to 0 rows; ${fix} that leaves at least one row`);
    return count;
  }
  if (!Number.isInteger(size)) throw new DataError('splitTrainValTest', `${name} is ${size}: sizes >= 1 are row counts and must be whole; ${fix}`);
  return size;
}

/**
 * Seeded train/validation(/test) split. Without `stratify`, rows come from one seeded permutation:
 * train first, then val, then test (so with no test it equals `splitDataset(ds, val, seed)`).
 * With `stratify`, each class is split on its own (largest-remainder rounding keeps the totals
 * exact) and each part lists its rows in their original order; float targets [N, K] (one-hot,
 * smoothed or mixed class probabilities) are stratified by each row's most probable class.
 * @example const { train, val, test } = splitTrainValTest(ds, { val: 0.15, test: 0.15, seed: 1, stratify: true });
 */
export function splitTrainValTest(ds: ArrayDataset, options: SplitOptions): TrainValTest {
  const n = datasetSize(ds);
  const nVal = rowCount(options.val, n, 'val');
  const nTest = options.test === undefined ? 0 : rowCount(options.test, n, 'test');
  if (nVal + nTest >= n) throw new DataError('splitTrainValTest', `val (${nVal} rows) and test (${nTest} rows) leave no training rows out of ${n}; make them smaller`);
  const p = permutation(n, options.seed);
  let parts: [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];
  if (!options.stratify) {
    parts = [p.subarray(0, n - nVal - nTest), p.subarray(n - nVal - nTest, n - nTest), p.subarray(n - nTest)];
  } else {
    const ids = strata(ds.y);
    const byClass = new Map<number, number[]>();
    for (const row of p) {
      const list = byClass.get(ids[row]!) ?? [];
      list.push(row);
      byClass.set(ids[row]!, list);
    }
    const classes = [...byClass.keys()].sort((a, b) => a - b);
    const sizes = classes.map((c) => byClass.get(c)!.length);
    const valPer = apportion(nVal, sizes, sizes);
    const testPer = apportion(nTest, sizes, sizes.map((s, i) => s - valPer[i]!));
    const train: number[] = [];
    const val: number[] = [];
    const test: number[] = [];
    classes.forEach((c, i) => {
      const rows = byClass.get(c)!;
      val.push(...rows.slice(0, valPer[i]));
      test.push(...rows.slice(valPer[i], valPer[i]! + testPer[i]!));
      train.push(...rows.slice(valPer[i]! + testPer[i]!));
    });
    const ascending = (a: number, b: number) => a - b;
    parts = [train.sort(ascending), val.sort(ascending), test.sort(ascending)];
  }
  const out: TrainValTest = { train: subset(ds, parts[0]), val: subset(ds, parts[1]) };
  if (options.test !== undefined) out.test = subset(ds, parts[2]);
  return out;
}

/** The class of each row to stratify on: class ids, or the argmax of float class probabilities [N, K > 1]. */
function strata(y: ArrayDataset['y']): number[] {
  const k = y.dims[1] ?? 1;
  if (y.dims.length !== 2 || k <= 1 || (y.dataType !== DataType.FLOAT && y.dataType !== DataType.DOUBLE)) return classIds(y, 'splitTrainValTest (stratify)');
  const data = y.data as Float32Array | Float64Array;
  return Array.from({ length: y.dims[0]! }, (_, row) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (data[row * k + c]! > data[row * k + best]!) best = c;
    return best;
  });
}

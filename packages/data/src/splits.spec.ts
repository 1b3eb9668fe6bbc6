import { describe, expect, it } from 'vitest';
import { DataType } from '@anneal/onnx';
import { int64Labels, type ArrayDataset } from './array-dataset.js';
import { splitDataset, splitTrainValTest } from './splits.js';
import { apportion } from './apportion.js';
import { classCounts } from './labels.js';
import { loadIris } from './iris.js';

/** x holds the row index so each split's rows can be read back. */
function indexed(labels: number[]): ArrayDataset {
  return { x: { dataType: DataType.FLOAT, dims: [labels.length, 1], data: Float32Array.from(labels, (_, i) => i) }, y: int64Labels(labels) };
}
const rows = (ds: ArrayDataset | undefined) => Array.from((ds?.x.data ?? []) as Float32Array);

describe('splitTrainValTest', () => {
  const ds = indexed(Array.from({ length: 100 }, (_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2)));

  it('without a test part it equals splitDataset', () => {
    const a = splitTrainValTest(ds, { val: 0.25, seed: 3 });
    const b = splitDataset(ds, 0.25, 3);
    expect(rows(a.val)).toEqual(rows(b.val));
    expect(rows(a.train)).toEqual(rows(b.train));
    expect(a.test).toBeUndefined();
  });
  it('takes fractions or counts, partitions the rows and depends only on the seed', () => {
    const a = splitTrainValTest(ds, { val: 0.2, test: 15, seed: 9 });
    expect([a.train, a.val, a.test!].map((p) => p.x.dims[0])).toEqual([65, 20, 15]);
    expect([...rows(a.train), ...rows(a.val), ...rows(a.test)].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(rows(splitTrainValTest(ds, { val: 0.2, test: 15, seed: 9 }).test)).toEqual(rows(a.test));
    expect(rows(splitTrainValTest(ds, { val: 0.2, test: 15, seed: 10 }).test)).not.toEqual(rows(a.test));
    // labels stay with their rows
    const y = Array.from(a.val.y.data as BigInt64Array, Number);
    rows(a.val).forEach((r, i) => expect(y[i]).toBe(r < 60 ? 0 : r < 90 ? 1 : 2));
  });
  it('stratified splits keep each class share exactly', () => {
    const s = splitTrainValTest(ds, { val: 0.2, test: 0.1, seed: 1, stratify: true });
    expect(classCounts(s.val, 3)).toEqual([12, 6, 2]);
    expect(classCounts(s.test!, 3)).toEqual([6, 3, 1]);
    expect(classCounts(s.train, 3)).toEqual([42, 21, 7]);
    expect([...rows(s.train), ...rows(s.val), ...rows(s.test)].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const iris = splitTrainValTest(loadIris(), { val: 0.2, seed: 5, stratify: true });
    expect(classCounts(iris.val)).toEqual([10, 10, 10]);
    expect(classCounts(iris.train)).toEqual([40, 40, 40]);
  });
  it('rejects sizes that leave nothing or are not fractions or whole counts', () => {
    expect(() => splitTrainValTest(ds, { val: 0.6, test: 0.4, seed: 1 })).toThrow(/val \(60 rows\) and test \(40 rows\) leave no training rows out of 100/);
    expect(() => splitTrainValTest(ds, { val: 0.001, seed: 1 })).toThrow(/val fraction 0.001 of 100 examples rounds to 0 rows/);
    expect(() => splitTrainValTest(ds, { val: 2.5, seed: 1 })).toThrow(/val is 2.5: sizes >= 1 are row counts and must be whole/);
    expect(() => splitTrainValTest(ds, { val: 0.1, test: 0, seed: 1 })).toThrow(/test is 0; give a fraction in \(0, 1\)/);
    const cube = { x: ds.x, y: { dataType: DataType.FLOAT, dims: [100, 3, 1], data: new Float32Array(300) } };
    expect(() => splitTrainValTest(cube, { val: 0.1, seed: 1, stratify: true })).toThrow(/stratify.*labels have shape \[100, 3, 1\]/);
  });
  it('stratifies class probabilities [N, K] (mixup, smoothing) by their most probable class: the same rows as the class ids', () => {
    const ids = Array.from(ds.y.data as BigInt64Array, Number);
    const soft = new Float64Array(300);
    ids.forEach((c, i) => {
      soft[i * 3 + c] = 0.6;
      soft[i * 3 + ((c + 1) % 3)] = 0.3;
      soft[i * 3 + ((c + 2) % 3)] = 0.1;
    });
    const probs = { x: ds.x, y: { dataType: DataType.DOUBLE, dims: [100, 3], data: soft } };
    const a = splitTrainValTest(ds, { val: 0.2, test: 0.1, seed: 4, stratify: true });
    const b = splitTrainValTest(probs, { val: 0.2, test: 0.1, seed: 4, stratify: true });
    expect(rows(b.val)).toEqual(rows(a.val));
    expect(rows(b.test)).toEqual(rows(a.test));
    expect(b.val.y.dims).toEqual([20, 3]);
  });
});

describe('apportion', () => {
  it('splits by largest remainder within caps', () => {
    expect(apportion(10, [1, 1, 1], [10, 10, 10])).toEqual([4, 3, 3]);
    expect(apportion(7, [5, 3, 2], [5, 3, 2])).toEqual([4, 2, 1]); // quotas 3.5, 2.1, 1.4
    expect(apportion(3, [1, 1, 1], [0, 5, 5])).toEqual([0, 2, 1]);
  });
});

import { describe, expect, it } from 'vitest';
import { DataType } from '@anneal/onnx';
import { fromArrays, tensorDataset } from './from-arrays.js';
import { DataError } from './errors.js';

describe('fromArrays', () => {
  it('stacks rows into float32 x [N, F] and int64 y [N]', () => {
    const ds = fromArrays([[1, 2], [3, 4.5], [-6, 0]], [0, 2, 1]);
    expect(ds.x.dataType).toBe(DataType.FLOAT);
    expect(ds.x.dims).toEqual([3, 2]);
    expect(Array.from(ds.x.data as Float32Array)).toEqual([1, 2, 3, 4.5, -6, 0]);
    expect(ds.y.dataType).toBe(DataType.INT64);
    expect(Array.from(ds.y.data as BigInt64Array)).toEqual([0n, 2n, 1n]);
  });
  it('takes a flat buffer with dims and float labels for regression', () => {
    const ds = fromArrays({ data: [1, 2, 3, 4, 5, 6, 7, 8], dims: [2, 2, 2] }, [0.5, -1.25], { labelType: 'float' });
    expect(ds.x.dims).toEqual([2, 2, 2]);
    expect(ds.y.dataType).toBe(DataType.FLOAT);
    expect(Array.from(ds.y.data as Float32Array)).toEqual([0.5, -1.25]);
  });
  it('rejects empty data, mismatched lengths, ragged rows, non-finite values and fractional class ids', () => {
    expect(() => fromArrays([], [])).toThrow(DataError);
    expect(() => fromArrays([], [])).toThrow(/dataset is empty/);
    expect(() => fromArrays({ data: [], dims: [0, 3] }, [])).toThrow(/dataset is empty/);
    expect(() => fromArrays([[1], [2], [3]], [0, 1])).toThrow(/features have 3 rows but labels have 2/);
    const rows = Array.from({ length: 20 }, (_, i) => (i === 17 ? [1, 2, 3] : [1, 2, 3, 4]));
    expect(() => fromArrays(rows, new Array(20).fill(0))).toThrow(/row 17 has 3 values, expected 4/);
    expect(() => fromArrays([[1, 2], [3, Number.NaN], [Infinity, 0]], [0, 0, 0])).toThrow(/row 1, column 1 is NaN, not a finite number/);
    expect(() => fromArrays({ data: [1, 2, 3], dims: [2, 2] }, [0, 1])).toThrow(/dims \[2, 2\] \(4 values\) but data holds 3/);
    expect(() => fromArrays([[1], [2]], [0, 0.5])).toThrow(/label 0.5 at row 1 is not an integer class id; use labelType 'float'/);
    expect(() => fromArrays([[1], [2]], [0, Number.NaN], { labelType: 'float' })).toThrow(/labels row 1, column 0 is NaN/);
  });
});

describe('tensorDataset', () => {
  const x = { dataType: DataType.FLOAT, dims: [3, 2, 2], data: Float32Array.from({ length: 12 }, (_, i) => i) };
  const y = { dataType: DataType.INT64, dims: [3], data: BigInt64Array.from([0n, 1n, 0n]) };
  it('returns the tensors unchanged when they are consistent', () => {
    const ds = tensorDataset(x, y);
    expect(ds.x).toBe(x);
    expect(ds.y).toBe(y);
  });
  it('names the problem and the place', () => {
    expect(() => tensorDataset(x, { ...y, dims: [2], data: y.data.subarray(0, 2) }, 'train.npz')).toThrow(/^train\.npz: x has 3 rows but y has 2/);
    expect(() => tensorDataset({ ...x, dims: [0, 2], data: new Float32Array(0) }, { ...y, dims: [0], data: new BigInt64Array(0) })).toThrow(/dataset is empty/);
    const bad = Float32Array.from(x.data);
    bad[9] = Number.POSITIVE_INFINITY; // row 2, flattened column 1
    expect(() => tensorDataset({ ...x, data: bad }, y)).toThrow(/x row 2, column 1 is Infinity/);
    expect(() => tensorDataset({ ...x, dims: [3, 5] }, y)).toThrow(/x has shape \[3, 5\] \(15 values\) but holds 12 values/);
  });
});

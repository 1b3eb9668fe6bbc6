import { describe, expect, it } from 'vitest';
import { DataType } from '@anneal/onnx';
import { int64Labels } from './array-dataset.js';
import { DataError } from './errors.js';
import { checkLabels, classCount, classCounts } from './labels.js';

const x = (n: number) => ({ dataType: DataType.FLOAT, dims: [n, 1], data: new Float32Array(n) });

describe('class labels', () => {
  it('counts classes, padding with zeros up to numClasses', () => {
    const ds = { x: x(6), y: int64Labels([2, 0, 2, 2, 1, 0]) };
    expect(classCounts(ds)).toEqual([2, 1, 3]);
    expect(classCounts(ds, 5)).toEqual([2, 1, 3, 0, 0]);
    const floatLabels = { x: x(3), y: { dataType: DataType.FLOAT, dims: [3, 1], data: Float32Array.from([1, 1, 0]) } };
    expect(classCounts(floatLabels)).toEqual([1, 2]);
  });
  it('reports the first out-of-range, negative or fractional label with its row', () => {
    const labels = Array.from({ length: 60 }, (_, i) => i % 10);
    labels[57] = 12;
    const ds = { x: x(60), y: int64Labels(labels) };
    expect(() => checkLabels(ds, 10, 'train.csv')).toThrow(/^train\.csv: label 12 at row 57 is out of range \[0, 10\); .*at least 13/);
    expect(() => classCounts(ds, 10)).toThrow(/label 12 at row 57 is out of range \[0, 10\)/);
    expect(() => checkLabels(ds, 13)).not.toThrow();
    const negative = { x: x(3), y: int64Labels([0, -1, 1]) };
    expect(() => checkLabels(negative, 2)).toThrow(/label -1 at row 1 is negative; class ids start at 0/);
    expect(() => classCounts(negative)).toThrow(/label -1 at row 1 is negative/);
    const fractional = { x: x(3), y: { dataType: DataType.FLOAT, dims: [3], data: Float32Array.from([0, 1, 1.5]) } };
    expect(() => checkLabels(fractional, 3)).toThrow(/label 1.5 at row 2 is not an integer class id/);
    const oneHot = { x: x(2), y: { dataType: DataType.FLOAT, dims: [2, 3], data: new Float32Array(6) } };
    expect(() => classCounts(oneHot)).toThrow(/labels have shape \[2, 3\]/);
    expect(() => checkLabels(ds, 0)).toThrow(/numClasses must be an integer in \[1, 1000000\], got 0/);
  });
  it('bounds an implied class count by the data: at most max(1000, 10 x distinct labels); a declared count is checked instead', () => {
    const stray = { x: x(4), y: int64Labels([0, 1, 1e9, 2]) };
    expect(() => classCounts(stray, undefined, 'y.npy')).toThrow(/^y\.npy: label 1000000000 at row 2 would make 1000000001 classes, but the labels hold only 4 distinct class ids; .* = 1000: relabel the classes/);
    const huge = { x: x(2), y: { dataType: DataType.INT64, dims: [2], data: BigInt64Array.from([0n, 2n ** 40n]) } };
    expect(() => classCounts(huge)).toThrow(DataError);
    expect(classCount([0, 999])).toBe(1000);
    expect(() => classCount([0, 1000])).toThrow(DataError);
    expect(classCount(Array.from({ length: 200 }, (_, i) => i * 10))).toBe(1991); // 200 distinct ids: up to 2000 classes
    expect(classCounts({ x: x(2), y: int64Labels([0, 1500]) }, 2000)).toHaveLength(2000);
    expect(() => classCounts(stray, 2e9)).toThrow(/numClasses must be an integer in \[1, 1000000\]/);
  });
});

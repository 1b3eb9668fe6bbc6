import { describe, expect, it } from 'vitest';
import { DataType } from '@anneal/onnx';
import { int64Labels } from './array-dataset.js';
import { checkLabels, classCounts } from './labels.js';

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
    expect(() => checkLabels(negative, 2)).toThrow(/label -1 at row 1 is out of range \[0, 2\); class ids start at 0/);
    expect(() => classCounts(negative)).toThrow(/label -1 at row 1 is negative/);
    const fractional = { x: x(3), y: { dataType: DataType.FLOAT, dims: [3], data: Float32Array.from([0, 1, 1.5]) } };
    expect(() => checkLabels(fractional, 3)).toThrow(/label 1.5 at row 2 is not an integer class id/);
    const oneHot = { x: x(2), y: { dataType: DataType.FLOAT, dims: [2, 3], data: new Float32Array(6) } };
    expect(() => classCounts(oneHot)).toThrow(/labels have shape \[2, 3\]/);
    expect(() => checkLabels(ds, 0)).toThrow(/numClasses must be a positive integer, got 0/);
  });
});

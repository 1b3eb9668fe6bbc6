import { describe, expect, it } from 'vitest';
import { DataType, type TensorValue } from '@anneal/onnx';
import { stackBatches, stackedCount, unstackBatch } from './stack-batches.js';
import { EngineError } from './errors.js';

const batch = (seed: number, rows = 2): Record<string, TensorValue> => ({
  x: { dataType: DataType.FLOAT, dims: [rows, 3], data: Float32Array.from({ length: rows * 3 }, (_, i) => seed * 100 + i) },
  labels: { dataType: DataType.INT64, dims: [rows], data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(seed + i)) },
});

describe('stackBatches', () => {
  it('stacks along a new leading axis and unstacks to views of the same values', () => {
    const list = [batch(1), batch(2), batch(3)];
    const s = stackBatches(list);
    expect(s.stacked.x!.dims).toEqual([3, 2, 3]);
    expect(s.stacked.labels!.dims).toEqual([3, 2]);
    expect(stackedCount(s)).toBe(3);
    const b1 = unstackBatch(s, 1);
    expect(b1.x!.dims).toEqual([2, 3]);
    expect(b1.x!.data).toEqual(list[1]!.x!.data);
    expect(b1.labels!.data).toEqual(list[1]!.labels!.data);
    expect(b1.x!.data.buffer).toBe(s.stacked.x!.data.buffer);
  });

  it('refuses batches of other shapes and stacks of unequal K', () => {
    expect(() => stackBatches([batch(1), batch(2, 3)])).toThrow(EngineError);
    expect(() => stackBatches([])).toThrow(/at least one batch/);
    const bad = { stacked: { x: { ...batch(1).x!, dims: [2, 3] }, labels: { ...batch(1).labels!, dims: [1, 2] } } };
    expect(() => stackedCount(bad)).toThrow(/same leading dim K/);
  });
});

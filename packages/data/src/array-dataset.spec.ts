import { describe, expect, it } from 'vitest';
import { int64Labels } from './array-dataset.js';
import { batches } from './batches.js';
import { splitDataset } from './splits.js';
import { loadMnist } from './mnist.js';
import { DataType } from '@anneal/onnx';

describe('array datasets', () => {
  const ds = { x: { dataType: DataType.FLOAT, dims: [10, 2], data: Float32Array.from({ length: 20 }, (_, i) => i) }, y: int64Labels([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) };
  it('splits reproducibly and without overlap', () => {
    const a = splitDataset(ds, 0.3, 42);
    const b = splitDataset(ds, 0.3, 42);
    expect(a.val.y.data).toEqual(b.val.y.data);
    expect(a.val.y.dims[0]).toBe(3);
    const all = [...Array.from(a.train.y.data as BigInt64Array), ...Array.from(a.val.y.data as BigInt64Array)].map(Number).sort((p, q) => p - q);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  it('batches keep rows aligned and cover every example once per epoch', () => {
    const seen: number[] = [];
    for (const b of batches(ds, { batchSize: 4, shuffle: true, seed: 1, epoch: 0 })) {
      const ys = Array.from(b.y.data as BigInt64Array).map(Number);
      ys.forEach((y, i) => expect((b.x.data as Float32Array)[i * 2]).toBe(y * 2));
      seen.push(...ys);
    }
    expect(seen.sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  it('loads real MNIST digits', () => {
    const m = loadMnist({ perDigit: 5, image: true });
    expect(m.x.dims).toEqual([50, 1, 28, 28]);
    const px = m.x.data as Float32Array;
    expect(Math.max(...px)).toBeGreaterThan(0.9);
    expect(Number((m.y.data as BigInt64Array)[49])).toBe(9);
  });
});

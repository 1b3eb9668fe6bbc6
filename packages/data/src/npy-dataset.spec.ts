import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from '@anneal/onnx';
import { writeNpy } from './npy.js';
import { loadNpyDataset } from './npy-dataset.js';

describe('loadNpyDataset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'npy-ds-'));
  const xFile = join(dir, 'x.npy');
  const yFile = join(dir, 'y.npy');
  writeNpy(xFile, { dataType: DataType.FLOAT, dims: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
  writeNpy(yFile, { dataType: DataType.INT64, dims: [3], data: BigInt64Array.from([2n, 0n, 1n]) });

  it('round-trips arrays written with writeNpy', () => {
    const ds = loadNpyDataset({ x: xFile, y: yFile });
    expect(ds.x.dims).toEqual([3, 2]);
    expect(Array.from(ds.x.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(ds.y.data as BigInt64Array)).toEqual([2n, 0n, 1n]);
  });
  it('names the files in its errors', () => {
    const short = join(dir, 'short.npy');
    writeNpy(short, { dataType: DataType.INT64, dims: [2], data: BigInt64Array.from([0n, 1n]) });
    expect(() => loadNpyDataset({ x: xFile, y: short })).toThrow(`${xFile} has 3 rows but ${short} has 2`);
    expect(() => loadNpyDataset({ x: join(dir, 'nope.npy'), y: yFile })).toThrow(/nope\.npy: cannot read/);
    const nan = join(dir, 'nan.npy');
    writeNpy(nan, { dataType: DataType.FLOAT, dims: [3, 1], data: Float32Array.from([0, Number.NaN, 1]) });
    expect(() => loadNpyDataset({ x: nan, y: yFile })).toThrow(`${nan} row 1, column 0 is NaN`);
  });
});

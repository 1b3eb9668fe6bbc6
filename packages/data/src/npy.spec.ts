import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from '@anneal/onnx';
import { formatNpy, parseNpy, readNpy, writeNpy } from './npy.js';
import { DataError } from './errors.js';

describe('.npy', () => {
  it('round-trips float32, float64, int64, int32, uint8 and scalars', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    const cases = [
      { dataType: DataType.FLOAT, dims: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) },
      { dataType: DataType.DOUBLE, dims: [3], data: Float64Array.from([1e-300, -2, 3]) },
      { dataType: DataType.INT64, dims: [4], data: BigInt64Array.from([0n, -1n, 2n ** 40n, 7n]) },
      { dataType: DataType.INT32, dims: [1, 2], data: Int32Array.from([-5, 5]) },
      { dataType: DataType.UINT8, dims: [2], data: Uint8Array.from([0, 255]) },
      { dataType: DataType.FLOAT, dims: [], data: Float32Array.from([3.5]) },
    ];
    for (const [i, c] of cases.entries()) {
      const file = join(dir, `${i}.npy`);
      writeNpy(file, c);
      const back = readNpy(file);
      expect(back.dims).toEqual(c.dims);
      expect(back.dataType).toBe(c.dataType);
      expect(Array.from(back.data as ArrayLike<number>)).toEqual(Array.from(c.data as ArrayLike<number>));
    }
  });
  it('parses a header written by numpy (format 1.0, padded to 64 bytes)', () => {
    // bytes of numpy.save(f, numpy.array([[1, 2]], dtype=numpy.int64)), header built by hand
    const header = "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }";
    const padded = header + ' '.repeat(128 - 10 - header.length - 1) + '\n';
    const bytes = new Uint8Array(10 + padded.length + 16);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length, 0]);
    bytes.set(new TextEncoder().encode(padded), 10);
    new DataView(bytes.buffer).setBigInt64(10 + padded.length, 1n, true);
    new DataView(bytes.buffer).setBigInt64(10 + padded.length + 8, 2n, true);
    const v = parseNpy(bytes);
    expect(v.dims).toEqual([1, 2]);
    expect(Array.from(v.data as BigInt64Array)).toEqual([1n, 2n]);
    expect(formatNpy(v).length % 64).toBe(16);
  });
  it('gives typed errors naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, 'hello world, not numpy');
    expect(() => readNpy(bad)).toThrow(DataError);
    expect(() => readNpy(bad)).toThrow(/bad\.npy: not a \.npy file/);
    expect(() => readNpy(join(dir, 'missing.npy'))).toThrow(/missing\.npy: cannot read/);
    const truncated = formatNpy({ dataType: DataType.FLOAT, dims: [100], data: new Float32Array(100) }).subarray(0, 200);
    expect(() => parseNpy(truncated, 't.npy')).toThrow(/truncated/);
  });
});

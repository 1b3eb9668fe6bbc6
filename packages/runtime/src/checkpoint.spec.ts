import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, type TensorValue } from '@anneal/onnx';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { CheckpointNotFoundError, CorruptCheckpointError, UnsupportedDtypeError } from './errors.js';
import { encodeSafetensors } from './safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'anneal-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const all: Record<string, TensorValue> = {
  'fc.weight': { dataType: DataType.FLOAT, dims: [2, 3], data: new Float32Array([1, 2, 3, -4, 5.5, 1e-8]) },
  'fc.weight.exp_avg': { dataType: DataType.DOUBLE, dims: [2, 3], data: new Float64Array([0.1, 0.2, 0.3, 0.4, 0.5, Math.PI]) },
  step: { dataType: DataType.INT64, dims: [], data: new BigInt64Array([2n ** 40n + 3n]) },
  'labels.counts': { dataType: DataType.INT32, dims: [4], data: new Int32Array([-1, 0, 1, 2 ** 31 - 1]) },
  'mask.u8': { dataType: DataType.UINT8, dims: [1, 2], data: new Uint8Array([0, 255]) },
  'mask.bool': { dataType: DataType.BOOL, dims: [3], data: new Uint8Array([1, 0, 1]) },
  lr: { dataType: DataType.FLOAT, dims: [], data: new Float32Array([0.001]) },
  empty: { dataType: DataType.FLOAT, dims: [0, 4], data: new Float32Array(0) },
};

function corrupt(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function withHeader(header: object, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

describe('checkpoints (safetensors)', () => {
  it('round-trips every supported dtype, 0-d scalars, empty tensors and metadata', () => {
    const path = join(dir, 'sub', 'ckpt.safetensors');
    saveCheckpoint(path, all, { step: '12', epoch: '1', optimizer: 'adamw' });
    const { tensors, metadata } = loadCheckpoint(path);
    expect(metadata).toEqual({ step: '12', epoch: '1', optimizer: 'adamw' });
    expect(Object.keys(tensors)).toEqual(Object.keys(all));
    for (const [name, v] of Object.entries(all)) expect(tensors[name], name).toEqual(v);
  });

  it('writes the standard layout: LE u64 header length, 8-byte aligned JSON header, contiguous data', () => {
    const bytes = encodeSafetensors({ a: all['fc.weight']!, b: all.step! }, { k: 'v' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      __metadata__: { k: 'v' },
      a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
      b: { dtype: 'I64', shape: [], data_offsets: [24, 32] },
    });
    expect(bytes.byteLength).toBe(8 + n + 32);
    expect(new DataView(bytes.buffer).getBigInt64(8 + n + 24, true)).toBe(2n ** 40n + 3n);
  });

  it('reports missing, truncated and corrupt files with typed errors', () => {
    expect(() => loadCheckpoint(join(dir, 'nope.safetensors'))).toThrow(CheckpointNotFoundError);
    const good = encodeSafetensors(all);
    const cases: Array<[string, Uint8Array, string]> = [
      ['short', good.subarray(0, 5), 'truncated'],
      ['cut-header', good.subarray(0, 40), 'truncated'],
      ['cut-data', good.subarray(0, good.byteLength - 3), 'truncated'],
      ['json', withHeader({}, new Uint8Array()).map((b, i) => (i === 8 ? 0x5b : b)), 'bad-header'],
      ['dtype', withHeader({ t: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), 'bad-header'],
      ['beyond', withHeader({ t: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(8)), 'offsets-out-of-range'],
      ['size', withHeader({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), 'offsets-out-of-range'],
      ['reversed', withHeader({ t: { dtype: 'U8', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)), 'offsets-out-of-range'],
    ];
    for (const [name, bytes, reason] of cases) {
      const path = corrupt(`${name}.safetensors`, bytes);
      const error = (() => {
        try {
          loadCheckpoint(path);
        } catch (e) {
          return e;
        }
      })();
      expect(error, name).toBeInstanceOf(CorruptCheckpointError);
      expect((error as CorruptCheckpointError).reason, name).toBe(reason);
      expect((error as Error).message, name).toContain(path);
    }
  });

  it('leaves an existing checkpoint intact when serialization fails', () => {
    const path = join(dir, 'keep.safetensors');
    saveCheckpoint(path, { w: all['fc.weight']! }, { step: '1' });
    const before = readFileSync(path);
    const bad = { w: all['fc.weight']!, z: { dataType: DataType.COMPLEX64, dims: [1], data: new Float32Array(2) } };
    expect(() => saveCheckpoint(path, bad, { step: '2' })).toThrow(UnsupportedDtypeError);
    expect(readFileSync(path)).toEqual(before);
    expect(loadCheckpoint(path).metadata).toEqual({ step: '1' });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

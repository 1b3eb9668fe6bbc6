import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTensor, tensorElementCount } from './check-tensor.js';
import { InvalidTensorError, MalformedModelError } from './errors.js';
import { GraphBuilder } from './graph-builder.js';
import { loadModel, saveModel } from './io.js';
import { tensors, tensorToValue } from './tensor.js';
import { DataType } from './types.js';

describe('checkTensor', () => {
  it('refuses a weight shorter or longer than its dims instead of zero-padding or cutting it', () => {
    const w = tensors.float('fc.weight', [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(checkTensor(w)).toBe(6);
    const short = { ...w, rawData: w.rawData!.subarray(0, 20) };
    expect(() => tensorToValue(short)).toThrow(InvalidTensorError);
    expect(() => tensorToValue(short)).toThrow("tensor 'fc.weight' (FLOAT [2, 3]) needs 24 bytes of raw_data but has 20 (too short)");
    expect(() => checkTensor({ ...w, rawData: new Uint8Array(28) }, 'net.onnx')).toThrow(/^net\.onnx: tensor 'fc\.weight' .* has 28 \(too long\)/);
    const typed = { ...w, rawData: undefined, floatData: [1, 2, 3] };
    expect(() => tensorToValue(typed)).toThrow(/has 3 entries in float_data; its dims need 6 values in float_data or 24 bytes of raw_data/);
  });

  it('refuses negative, fractional and overflowing dims before anything is allocated', () => {
    expect(() => tensorElementCount([-1, 5], 'w', 'm.onnx')).toThrow("m.onnx: tensor 'w' has dims [-1, 5]: dim 0 is -1, not an integer >= 0");
    expect(() => tensorElementCount([2.5], 'w')).toThrow(/dim 0 is 2.5/);
    expect(() => tensorElementCount([1e12, 1e6], 'w')).toThrow(/more elements than a tensor can hold/);
    expect(tensorElementCount([], 'scalar')).toBe(1);
    expect(tensorElementCount([3, 0], 'empty')).toBe(0);
  });

  it('loadModel names the file for a short weight, a model without outputs and a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-tensor-'));
    try {
      const build = () => {
        const b = new GraphBuilder({ opset: 17 });
        b.input('x', DataType.FLOAT, ['N', 3]);
        b.output(b.op('MatMul', ['x', b.initializer(tensors.float('w', [3, 2], [1, 2, 3, 4, 5, 6]))], {}, { output: 'y' }), DataType.FLOAT, ['N', 2]);
        return b.build();
      };
      const model = build();
      model.graph.initializer[0]!.rawData = model.graph.initializer[0]!.rawData!.subarray(0, 16);
      saveModel(join(dir, 'short.onnx'), model);
      expect(() => loadModel(join(dir, 'short.onnx'))).toThrow(/short\.onnx: tensor 'w' \(FLOAT \[3, 2\]\) needs 24 bytes of raw_data but has 16/);
      const none = build();
      none.graph.output = [];
      saveModel(join(dir, 'none.onnx'), none);
      expect(() => loadModel(join(dir, 'none.onnx'))).toThrow(MalformedModelError);
      expect(() => loadModel(join(dir, 'none.onnx'))).toThrow(/none\.onnx is not a valid ONNX model: its graph declares no outputs/);
      expect(() => loadModel(dir)).toThrow(/it is a folder/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

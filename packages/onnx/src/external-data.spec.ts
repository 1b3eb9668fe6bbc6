import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { encodeModel } from './codec.js';
import { ExternalDataError } from './errors.js';
import { GraphBuilder } from './graph-builder.js';
import { loadModel, saveModel } from './io.js';
import { tensors, tensorToValue } from './tensor.js';
import { DataType, type ModelProto } from './types.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'anneal-onnx-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** y = x W + b with W [64, 8] (2 KiB) and b [8] (32 bytes). */
function linearModel(): { model: ModelProto; w: Float32Array } {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 64]);
  const w = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i));
  const y = b.op('MatMul', ['x', b.initializer(tensors.float('W', [64, 8], w))]);
  b.output(b.op('Add', [y, b.initializer(tensors.float('b', [8], [1, 2, 3, 4, 5, 6, 7, 8]))], {}, { output: 'y' }), DataType.FLOAT, ['N', 8]);
  return { model: b.build(), w };
}

/** A model whose tensor W refers to external data at `location` (offset 0, 2048 bytes). */
function referencing(location: string): ModelProto {
  const { model } = linearModel();
  const w = model.graph.initializer[0]!;
  Object.assign(w, { rawData: undefined, dataLocation: 1, externalData: [{ key: 'location', value: location }, { key: 'offset', value: '0' }, { key: 'length', value: '2048' }] });
  return model;
}

describe('external data', () => {
  it('round-trips big tensors through a side file that ONNX Runtime also loads', async () => {
    const dir = tempDir();
    const { model, w } = linearModel();
    const path = join(dir, 'net.onnx');
    const result = saveModel(path, model, { externalDataThreshold: 1024 });
    expect(result.externalTensors).toEqual(['W']);
    expect(result.dataPath).toBe(join(dir, 'net.onnx.data'));
    expect(statSync(join(dir, 'net.onnx.data')).size).toBe(2048);
    expect(statSync(path).size).toBeLessThan(1024);
    expect(model.graph.initializer[0]!.rawData).toBeDefined(); // caller's model untouched
    expect(readdirSync(dir).sort()).toEqual(['net.onnx', 'net.onnx.data']); // no temporary files left

    const loaded = loadModel(path);
    expect(loaded.graph.initializer[0]!.dataLocation).toBeUndefined();
    expect(Array.from(tensorToValue(loaded.graph.initializer[0]!).data as Float32Array)).toEqual(Array.from(w));

    const x = new ort.Tensor('float32', new Float32Array(64).fill(1), [1, 64]);
    const fromDisk = await (await ort.InferenceSession.create(path)).run({ x });
    const fromLoaded = await (await ort.InferenceSession.create(encodeModel(loaded))).run({ x });
    expect(Array.from(fromDisk['y']!.data as Float32Array)).toEqual(Array.from(fromLoaded['y']!.data as Float32Array));
  });

  it('reads data from a subfolder of the model folder', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'weights'));
    const { w } = linearModel();
    writeFileSync(join(dir, 'weights', 'w.bin'), new Uint8Array(w.buffer));
    saveModel(join(dir, 'm.onnx'), referencing('weights/w.bin'));
    expect(Array.from(tensorToValue(loadModel(join(dir, 'm.onnx')).graph.initializer[0]!).data as Float32Array)).toEqual(Array.from(w));
  });

  it('refuses absolute paths, .. escapes, symlinks leading outside, missing and short files', () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.bin'), new Uint8Array(4096));
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    const model = join(dir, 'sub', 'm.onnx');
    const expectRefused = (location: string, message: RegExp) => {
      saveModel(model, referencing(location));
      expect(() => loadModel(model)).toThrow(ExternalDataError);
      expect(() => loadModel(model)).toThrow(message);
    };
    expectRefused(join(outside, 'secret.bin'), /absolute locations are refused/);
    expectRefused('../x.bin', /leaves the model's folder/);
    expectRefused('a/../../x.bin', /leaves the model's folder/);
    symlinkSync(join(outside, 'secret.bin'), join(dir, 'sub', 'link.bin'));
    expectRefused('link.bin', /symlink resolving to .*outside/);
    symlinkSync(outside, join(dir, 'sub', 'linkdir'));
    expectRefused('linkdir/secret.bin', /symlink/);
    expectRefused('missing.bin', /does not exist/);
    writeFileSync(join(dir, 'sub', 'short.bin'), new Uint8Array(100));
    expectRefused('short.bin', /does not fit/);
  });

  it('keeps saveModel atomic when encoding fails and refuses unresolved references', () => {
    const dir = tempDir();
    const path = join(dir, 'net.onnx');
    saveModel(path, linearModel().model);
    const before = statSync(path).size;
    expect(() => saveModel(path, referencing('w.bin'), { externalDataThreshold: 10 })).toThrow(/load the model with loadModel/);
    expect(() => saveModel(path, linearModel().model, { externalDataThreshold: 10, externalDataFile: '../x.data' })).toThrow(ExternalDataError);
    expect(statSync(path).size).toBe(before);
    expect(existsSync(join(dir, 'net.onnx.data'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['net.onnx']);
  });
});

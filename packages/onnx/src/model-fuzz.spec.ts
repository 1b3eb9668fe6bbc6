import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bitFlips, byteEdits, chunkEdits, evenBoundaries, fuzzRandom, fuzzSummary, runFuzz, truncations, type Mutant } from '@anneal/testing/fuzz';
import { rawDataBytes } from './check-tensor.js';
import { encodeModel } from './codec.js';
import { ExternalDataError, OnnxError } from './errors.js';
import { GraphBuilder } from './graph-builder.js';
import { loadModel } from './io.js';
import { forEachTensor } from './tensor-walk.js';
import { sizeOf, tensors, tensorToValue } from './tensor.js';
import { DataType, type ModelProto, type TensorProto } from './types.js';

// Malformed ONNX files, generated from a small valid model (raw_data and float_data weights, an
// int64 initializer, a Constant's tensor attribute, external data): each must give an OnnxError
// naming the file (or the external data file), or load with every tensor exactly as declared.

const W = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));

function baseModel(external: boolean): ModelProto {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 6]);
  const w = tensors.float('W', [6, 4], W);
  if (external) Object.assign(w, { rawData: undefined, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }, { key: 'offset', value: '0' }, { key: 'length', value: '96' }] });
  const bias: TensorProto = { ...tensors.float('b', [4], []), rawData: undefined, floatData: [0.5, -0.5, 1, 2] };
  const y = b.op('MatMul', ['x', b.initializer(w)]);
  const z = b.op('Add', [y, b.initializer(bias)]);
  const shape = b.initializer(tensors.int64('shape', [2], [-1, 4]));
  const r = b.op('Reshape', [z, shape]);
  const c = b.op('Constant', [], { value: tensors.float('scale', [1], [2]) });
  b.output(b.op('Mul', [r, c], {}, { output: 'y' }), DataType.FLOAT, ['N', 4]);
  return b.build();
}

const allTensors = (m: ModelProto) => {
  const out: TensorProto[] = [];
  forEachTensor(m, (t) => out.push(t));
  return out;
};

/** Structural edits of the model, re-encoded: the checks of check-tensor.ts and loadModel, one field at a time. */
function structural(external: boolean): Mutant<ModelProto>[] {
  const out: Mutant<ModelProto>[] = [];
  const edit = (name: string, change: (m: ModelProto) => void, expect?: 'error' | 'ok') => {
    const m = structuredClone(baseModel(external));
    change(m);
    out.push({ name, input: m, expect });
  };
  const count = allTensors(baseModel(external)).length;
  for (let k = 0; k < count; k++) {
    const at = (m: ModelProto) => allTensors(m)[k]!;
    const label = allTensors(baseModel(external))[k]!.name;
    const hasRaw = (m: ModelProto) => (at(m).rawData?.byteLength ?? 0) > 0;
    // a weight shorter or longer than its dims is refused, never zero-padded or cut
    const raw = hasRaw(baseModel(external)) ? ('error' as const) : undefined;
    for (const cut of [1, 4, 7]) edit(`${label}: raw_data ${cut} bytes short`, (m) => hasRaw(m) && (at(m).rawData = at(m).rawData!.subarray(0, at(m).rawData!.length - cut)), raw);
    for (const extra of [1, 4, 8]) edit(`${label}: raw_data ${extra} bytes long`, (m) => hasRaw(m) && (at(m).rawData = Uint8Array.from([...at(m).rawData!, ...new Array<number>(extra).fill(1)])), raw);
    for (const dims of [[-1], [-1, 4], [6, -4], [1e12, 1e6], [2 ** 53], [2 ** 31, 2 ** 31], [0], [7, 4], [24], [6, 4, 1], []]) edit(`${label}: dims [${dims.join(', ')}]`, (m) => (at(m).dims = dims));
    for (const dataType of [0, 99, -3, DataType.STRING, DataType.DOUBLE, DataType.INT32, DataType.FLOAT16, DataType.UINT64, 22]) edit(`${label}: data_type ${dataType}`, (m) => (at(m).dataType = dataType as DataType));
    edit(`${label}: no data at all`, (m) => Object.assign(at(m), { rawData: undefined, floatData: [], int64Data: [], dataLocation: undefined, externalData: [] }));
    edit(`${label}: float_data one short`, (m) => at(m).floatData.length && at(m).floatData.pop());
    edit(`${label}: float_data one long`, (m) => at(m).floatData.length && at(m).floatData.push(3));
    edit(`${label}: int64_data one short`, (m) => at(m).int64Data.length && at(m).int64Data.pop());
  }
  edit('no graph outputs', (m) => (m.graph.output = []), 'error');
  edit('no graph inputs', (m) => (m.graph.input = []));
  edit('no opset_import', (m) => (m.opsetImport = []), 'error');
  edit('input dim -3', (m) => (m.graph.input[0]!.type!.tensorType!.shape!.dim[1] = { dimValue: -3 }), 'error');
  edit('output dim 2^60', (m) => (m.graph.output[0]!.type!.tensorType!.shape!.dim[1] = { dimValue: 2 ** 60 }), 'error');
  edit('input without a type', (m) => delete m.graph.input[0]!.type);
  edit('node without an op type', (m) => (m.graph.node[0]!.opType = ''));
  if (external) {
    const ext = (name: string, entries: Record<string, string>) =>
      edit(`external data: ${name}`, (m) => (allTensors(m)[0]!.externalData = Object.entries(entries).map(([key, value]) => ({ key, value }))), 'error');
    ext("location '../w.bin'", { location: '../w.bin' });
    ext("location '/etc/passwd'", { location: '/etc/passwd' });
    ext('missing file', { location: 'nope.bin' });
    ext('a folder', { location: '.' });
    ext('no location', { offset: '0' });
    ext('offset -1', { location: 'w.bin', offset: '-1', length: '96' });
    ext("offset 'abc'", { location: 'w.bin', offset: 'abc' });
    ext('length past the file', { location: 'w.bin', offset: '0', length: '200' });
    ext('length short of the dims', { location: 'w.bin', offset: '0', length: '92' });
    ext('offset 2^60', { location: 'w.bin', offset: String(2 ** 60), length: '96' });
  }
  return out;
}

/** Byte-level edits of the encoded file. */
function binary(bytes: Uint8Array): Mutant<Uint8Array>[] {
  const rng = fuzzRandom(3);
  return [...truncations(bytes, evenBoundaries(bytes.length, 80)), ...bitFlips(bytes, 150, rng), ...byteEdits(bytes, 60, rng), ...chunkEdits(bytes, 30, rng)];
}

/** An accepted model: every tensor reads back as exactly its dims' elements (bytes equal to raw_data), or names its unsupported type. */
function verify(_: unknown, model: ModelProto): string | undefined {
  if (model.graph.output.length === 0) return 'loaded a model without outputs';
  for (const t of allTensors(model)) {
    let value;
    try {
      value = tensorToValue(t);
    } catch (e) {
      if (e instanceof OnnxError && e.code === 'UNSUPPORTED_DTYPE') continue;
      return `loadModel accepted tensor '${t.name}' that tensorToValue refuses: ${(e as Error).message}`;
    }
    if (value.data.length !== sizeOf(t.dims)) return `tensor '${t.name}' has dims [${t.dims}] but ${value.data.length} values`;
    const raw = t.rawData;
    if (raw && raw.byteLength > 0) {
      const got = new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength);
      if (got.byteLength !== rawDataBytes(t.dataType, sizeOf(t.dims)) || got.some((b, i) => b !== raw[i])) return `tensor '${t.name}' values are not its raw_data`;
    }
  }
  return undefined;
}

describe('ONNX model fuzz', () => {
  it('every malformed model file gives an OnnxError naming it; every accepted one reads back exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-fuzz-'));
    try {
      const file = join(dir, 'model.onnx');
      writeFileSync(join(dir, 'w.bin'), new Uint8Array(W.buffer));
      const typed = (e: unknown) => e instanceof OnnxError && (e.message.includes('model.onnx') || e instanceof ExternalDataError);
      const load = (bytes: Uint8Array) => {
        writeFileSync(file, bytes);
        return loadModel(file);
      };
      const cases: Mutant<Uint8Array>[] = [
        { name: 'valid', input: encodeModel(baseModel(false)), expect: 'ok' },
        { name: 'valid, external data', input: encodeModel(baseModel(true)), expect: 'ok' },
        ...[false, true].flatMap((external) => structural(external).map((m) => ({ ...m, name: `${external ? 'external: ' : ''}${m.name}`, input: encodeModel(m.input) }))),
        ...binary(encodeModel(baseModel(false))),
      ];
      const report = await runFuzz({ format: 'ONNX model (loadModel)', run: load, typed, verify, timeoutMs: 2000 }, cases);
      console.log(fuzzSummary(report));
      expect(report.total).toBeGreaterThan(500);
      expect(report.failures, fuzzSummary(report)).toEqual([]);
      // a folder given as a model path is named as one
      expect(() => loadModel(dir)).toThrow(/cannot read ONNX model '.*': it is a folder; give the .onnx file inside it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

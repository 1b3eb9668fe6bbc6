import { describe, expect, it } from 'vitest';
import { firstValueFrom, toArray } from 'rxjs';
import { DataType, GraphBuilder, encodeModel, type ModelProto } from '@anneal/onnx';
import { createSession } from './create-session.js';
import { BackendUnavailableError, ModelLoadError, SessionRunError } from './errors.js';
import { fromOrtTensor } from './tensor-convert.js';
import type { RuntimeWarning } from './warnings.js';

/** y = relu(x) * 2, z = Cast(y > 1) as int64 */
function smallModel(): ModelProto {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 3]);
  const y = b.op('Mul', [b.op('Relu', ['x']), b.scalar(2)], {}, { output: 'y' });
  b.op('Cast', [b.op('Greater', [y, b.scalar(1)])], { to: DataType.INT64 }, { output: 'z' });
  b.output('y', DataType.FLOAT, ['N', 3]);
  b.output('z', DataType.INT64, ['N', 3]);
  return b.build();
}

const x = { dataType: DataType.FLOAT, dims: [1, 3], data: new Float32Array([-1, 0.25, 3]) };

describe('createSession', () => {
  it('runs on cpu and reports input/output names', async () => {
    const s = await createSession(smallModel(), { device: 'cpu' });
    expect(s.device).toBe('cpu');
    expect(s.inputNames).toEqual(['x']);
    expect(s.outputNames).toEqual(['y', 'z']);
    const out = await s.run({ x });
    expect(Array.from(fromOrtTensor(out.y!).data as Float32Array)).toEqual([0, 0.5, 6]);
    expect(Array.from(fromOrtTensor(out.z!).data as BigInt64Array)).toEqual([0n, 0n, 1n]);
    const onlyZ = await s.run({ x }, ['z']);
    expect(Object.keys(onlyZ)).toEqual(['z']);
    await s.release();
  });

  it('falls back from cuda (provider library absent here) to cpu with a typed warning, and the session works', async () => {
    const warnings: RuntimeWarning[] = [];
    const s = await createSession(encodeModel(smallModel()), { device: 'cuda', deviceId: 0, onWarning: (w) => warnings.push(w) });
    expect(s.requestedDevice).toBe('cuda');
    expect(s.device).toBe('cpu');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'device-fallback', requested: 'cuda', used: 'cpu' });
    expect(warnings[0]!.reason).toMatch(/cuda: .*Failed to load shared library/);
    const out = await s.run({ x });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([0, 0.5, 6]);
    // warnings$ replays the creation warning to late subscribers and completes on release
    const seen = firstValueFrom(s.warnings$.pipe(toArray()));
    await s.release();
    expect(await seen).toEqual(warnings);
  });

  it('falls back from webgpu (none under Node) to wasm with a typed warning, and the session works', async () => {
    const warnings: RuntimeWarning[] = [];
    const s = await createSession(smallModel(), { device: 'webgpu', onWarning: (w) => warnings.push(w) });
    expect([s.requestedDevice, s.device]).toEqual(['webgpu', 'wasm']);
    expect(warnings).toEqual([expect.objectContaining({ kind: 'device-fallback', requested: 'webgpu', used: 'wasm', reason: expect.stringMatching(/^webgpu: /) })]);
    const out = await s.run({ x });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([0, 0.5, 6]);
    await s.release();
  });

  it('says the model failed to load, and why, when a loaded runtime refuses it (no wasm retry, no "install the missing runtime")', async () => {
    const garbage = new Uint8Array([8, 1, 18, 3, 1, 2, 3]);
    const error = await createSession(garbage, { device: 'cpu' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error).not.toBeInstanceOf(BackendUnavailableError);
    const e = error as ModelLoadError;
    expect(e.code).toBe('MODEL_LOAD');
    expect(e.failures.map((f) => f.device)).toEqual(['cpu']);
    expect(e.message).toMatch(/^ONNX Runtime could not load the model \(on 'cpu'\): .*protobuf/i);
    expect(e.message).not.toMatch(/install the missing runtime/);
    // a model ORT parses but cannot run: an unknown operator is named
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, [3]);
    b.output(b.op('NoSuchOp', ['x'], {}, { output: 'y' }), DataType.FLOAT, [3]);
    await expect(createSession(b.build(), { device: 'cpu' })).rejects.toThrow(/could not load the model \(on 'cpu'\): .*NoSuchOp/);
    // after a CUDA provider that cannot load, the CPU's refusal is still a model error, with the CUDA attempt listed
    const cuda = (await createSession(garbage, { device: 'cuda' }).catch((e: unknown) => e)) as ModelLoadError;
    expect(cuda).toBeInstanceOf(ModelLoadError);
    expect(cuda.failures.map((f) => f.device)).toEqual(['cuda', 'cpu']);
    expect(cuda.message).toMatch(/earlier attempts: cuda: .*Failed to load shared library/);
  });

  it('rejects bad feeds, unknown outputs and runs after release with SessionRunError', async () => {
    const s = await createSession(smallModel());
    await expect(s.run({})).rejects.toThrow(/missing \[x\]/);
    await expect(s.run({ x, extra: x })).rejects.toThrow(/unknown \[extra\]/);
    await expect(s.run({ x }, ['nope'])).rejects.toThrow(SessionRunError);
    await expect(s.run({ x }, [s.outputNames[0]!, 'nope'])).rejects.toThrow(/requested outputs \[nope\] are not model outputs/);
    // a name mismatch is reported before a conversion error of another feed
    await expect(s.run({ x: { ...x, data: new Float64Array(x.data.length) }, extra: x })).rejects.toThrow(/unknown \[extra\]/);
    await expect(s.run({ x: { ...x, dims: [1, 1, 3] } })).rejects.toThrow(/failed to run the model on 'cpu'/);
    await s.release();
    await s.release();
    await expect(s.run({ x })).rejects.toThrow(/was released/);
  });
});

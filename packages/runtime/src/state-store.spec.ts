import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder } from '@anneal/onnx';
import { createSession } from './create-session.js';
import { StateStore } from './state-store.js';
import { TensorMismatchError, UnknownStateError } from './errors.js';

/** One SGD step on L = sum(p^2): g = 2p, p_new = p - lr * g; and step_new = step + 1 (int64). */
function sgdStep() {
  const b = new GraphBuilder({ opset: 17 });
  b.input('p', DataType.FLOAT, [3]);
  b.input('step', DataType.INT64, []);
  b.input('lr', DataType.FLOAT, []);
  const g = b.op('Mul', ['p', b.scalar(2)]);
  b.op('Sub', ['p', b.op('Mul', ['lr', g])], {}, { output: 'p_new' });
  b.op('Add', ['step', b.scalar(1, DataType.INT64)], {}, { output: 'step_new' });
  b.output('p_new', DataType.FLOAT, [3]);
  b.output('step_new', DataType.INT64, []);
  return b.build();
}

describe('StateStore', () => {
  it('feeds step k outputs into step k+1 as the same ORT tensors and matches the closed form', async () => {
    const session = await createSession(sgdStep());
    const p0 = [1, -2, 0.5];
    const state = new StateStore({
      p: { dataType: DataType.FLOAT, dims: [3], data: Float32Array.from(p0) },
      step: { dataType: DataType.INT64, dims: [], data: new BigInt64Array([0n]) },
    });
    expect(state.names()).toEqual(['p', 'step']);
    const lr = { dataType: DataType.FLOAT, dims: [], data: new Float32Array([0.1]) };
    const steps = 6;
    for (let k = 0; k < steps; k++) {
      const out = await session.run({ ...state.feeds(), lr });
      state.update(out, { p_new: 'p', step_new: 'step' });
      expect(state.feeds().p).toBe(out.p_new); // no copy back to JS values in between
    }
    // p_k = p0 * (1 - 2 lr)^k
    const p = await state.get('p');
    expect(p.dims).toEqual([3]);
    p0.forEach((v, i) => expect((p.data as Float32Array)[i]).toBeCloseTo(v * 0.8 ** steps, 6));
    expect((await state.get('step')).data).toEqual(new BigInt64Array([BigInt(steps)]));
    expect(Object.keys(await state.values())).toEqual(['p', 'step']);
    await session.release();
  });

  it('rejects bad mappings with typed errors and leaves the state untouched', async () => {
    const state = new StateStore({ p: { dataType: DataType.FLOAT, dims: [3], data: new Float32Array(3) } });
    const before = state.tensor('p');
    const session = await createSession(sgdStep());
    const out = await session.run({ ...state.feeds(), step: { dataType: DataType.INT64, dims: [], data: new BigInt64Array(1) }, lr: { dataType: DataType.FLOAT, dims: [], data: new Float32Array(1) } });
    expect(() => state.update(out, { p_new: 'p', missing_out: 'p' })).toThrow(/output 'missing_out' .* is not among the run outputs/);
    expect(() => state.update(out, { p_new: 'q' })).toThrow(UnknownStateError);
    expect(() => state.update(out, { step_new: 'p' })).toThrow(TensorMismatchError);
    expect(state.tensor('p')).toBe(before);
    await expect(state.get('nope')).rejects.toThrow(/state 'nope' does not exist; known states: \[p\]/);
    await session.release();
  });

  it('writes its tensors into a feeds object with addFeeds (the same objects feeds() returns)', () => {
    const state = new StateStore({ p: { dataType: DataType.FLOAT, dims: [1], data: Float32Array.of(1) }, q: { dataType: DataType.FLOAT, dims: [], data: Float32Array.of(2) } });
    const target: Record<string, unknown> = { x: 1 };
    state.addFeeds(target as never);
    expect(Object.keys(target)).toEqual(['x', 'p', 'q']);
    expect(target.p).toBe(state.tensor('p'));
    expect(state.feeds().q).toBe(target.q);
  });
});

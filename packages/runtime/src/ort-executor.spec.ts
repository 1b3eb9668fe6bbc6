import { describe, expect, it, vi } from 'vitest';
import { DataType, GraphBuilder } from '@anneal/onnx';
import { ortExecutor } from './ort-executor.js';
import * as created from './create-session.js';

vi.mock('./create-session', async (importOriginal) => {
  const original = await importOriginal<typeof import('./create-session.js')>();
  return { ...original, createSession: vi.fn(original.createSession) };
});

function addOne() {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, [2]);
  b.op('Add', ['x', b.scalar(1)], {}, { output: 'y' });
  b.output('y', DataType.FLOAT, [2]);
  return b.build();
}

describe('ortExecutor', () => {
  it('implements Executor, returns TensorValues and creates one session per model object', async () => {
    const createSession = vi.mocked(created.createSession);
    createSession.mockClear();
    const executor = ortExecutor({ device: 'cpu' });
    const model = addOne();
    const x = { dataType: DataType.FLOAT, dims: [2], data: new Float32Array([1, 2]) };
    const [a, b] = await Promise.all([executor.run(model, { x }), executor.run(model, { x })]);
    const c = await executor.run(model, { x: { ...x, data: new Float32Array([10, 20]) } }, ['y']);
    expect(a.y).toMatchObject({ dataType: DataType.FLOAT, dims: [2] });
    expect(Array.from(b.y!.data as Float32Array)).toEqual([2, 3]);
    expect(Array.from(c.y!.data as Float32Array)).toEqual([11, 21]);
    expect(createSession).toHaveBeenCalledTimes(1);
    await executor.run(addOne(), { x }); // a different model object gets its own session
    expect(createSession).toHaveBeenCalledTimes(2);
    await executor.release();
    await executor.run(model, { x }); // after release, sessions are recreated on demand
    expect(createSession).toHaveBeenCalledTimes(3);
    await executor.release();
  });
});

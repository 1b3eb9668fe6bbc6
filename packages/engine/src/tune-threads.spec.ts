import { describe, expect, it } from 'vitest';
import { batches, loadMnist } from '@anneal/data';
import { DataType, GraphBuilder, tensors, type TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { buildMlp } from './mlp.js';
import { TrainSession } from './train-session.js';
import { fastestThreadCount } from './tune-threads.js';

const data = loadMnist({ perDigit: 10 });
const list = [...batches(data, { batchSize: 20 })].map((b): Record<string, TensorValue> => ({ x: b.x, labels: b.y }));

describe("intra-op threads: 'auto'", () => {
  it('times every candidate and returns the fastest', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, [256, 256]);
    const w = b.initializer(tensors.float('w', [256, 256], Array.from({ length: 65536 }, (_, i) => Math.sin(i))));
    b.output(b.op('MatMul', ['x', w]), DataType.FLOAT);
    const x = { dataType: DataType.FLOAT, dims: [256, 256], data: new Float32Array(65536).fill(0.5) };
    const r = await fastestThreadCount(b.build(), { x }, { device: 'cpu' }, [1, 2], 3);
    expect(Object.keys(r.medians).map(Number)).toEqual([1, 2]);
    expect(r.medians[r.threads]).toBe(Math.min(r.medians[1]!, r.medians[2]!));
  });

  it('picks 1 or 2 threads and trains exactly like a fixed thread count', async () => {
    const model = buildMlp({ sizes: [784, 16, 10], seed: 3 });
    const opts = { model, loss: { kind: 'cross-entropy' as const }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.05 }, sample: list[0]! };
    const auto = await TrainSession.create({ ...opts, intraOpThreads: 'auto' });
    expect([1, 2]).toContain(auto.intraOpThreads);
    const fixed = await TrainSession.create({ ...opts, intraOpThreads: 2 });
    expect(fixed.intraOpThreads).toBe(2);
    for (const batch of list.slice(0, 1)) expect((await auto.step(batch)).loss).toBeCloseTo((await fixed.step(batch)).loss, 5);
    expect(auto.loopThreads).toBeUndefined();
    const many = await auto.stepMany(list.slice(1, 5));
    expect([1, 2]).toContain(auto.loopThreads);
    const single: number[] = [];
    for (const batch of list.slice(1, 5)) single.push((await fixed.step(batch)).loss);
    expect(many.losses).toHaveLength(4);
    many.losses.forEach((l, i) => expect(l).toBeCloseTo(single[i]!, 5));
    await auto.release();
    await fixed.release();
  });
});

import { describe, expect, it } from 'vitest';
import { DataType, type TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { randn } from '@anneal/testing';
import { resolveLoss } from './loss-spec.js';
import { buildMlp } from './mlp.js';
import { TrainSession } from './train-session.js';

// a real tiny MLP (6 -> 8 -> 3) on a batch of 4: mixup's soft targets in training, class ids in evaluation
const classes = 3;
const x: TensorValue = { dataType: DataType.FLOAT, dims: [4, 6], data: randn(24, 5) };
const ids = (v: number[]): TensorValue => ({ dataType: DataType.INT64, dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) });
const a = [0, 2, 1, 2];
const b = [1, 0, 1, 0];
const lambda = 0.3;
const mixed: TensorValue = {
  dataType: DataType.FLOAT,
  dims: [4, classes],
  data: Float32Array.from({ length: 4 * classes }, (_, k) => {
    const [i, c] = [Math.floor(k / classes), k % classes];
    return (a[i] === c ? lambda : 0) + (b[i] === c ? 1 - lambda : 0);
  }),
};
const softTarget = resolveLoss({ kind: 'soft-target-cross-entropy' });
const model = () => buildMlp({ sizes: [6, 8, classes], seed: 4 });
const session = (lr: number, soft: boolean) =>
  TrainSession.create({ model: model(), loss: soft ? softTarget : { kind: 'cross-entropy' }, evalLoss: soft ? { kind: 'cross-entropy' } : undefined, optimizer: { optimizer: sgd(), lr }, sample: { x, labels: soft ? mixed : ids(a) } });

describe('evalLoss: a training loss on soft targets, evaluation on class ids', () => {
  it('the compiled step on mixed targets is λ·CE(a) + (1 − λ)·CE(b), in loss and in the update', async () => {
    const hard = await session(0, false);
    const ceA = (await hard.evaluateBatch({ x, labels: ids(a) })).loss;
    const ceB = (await hard.evaluateBatch({ x, labels: ids(b) })).loss;
    const soft = await session(0, true);
    expect((await soft.step({ x, labels: mixed })).loss).toBeCloseTo(lambda * ceA + (1 - lambda) * ceB, 5);
    // one SGD step is linear in the gradient: p(mixed) = λ·p(a) + (1 − λ)·p(b)
    const after = async (labels: TensorValue, isSoft: boolean) => {
      const s = await session(0.5, isSoft);
      await s.step({ x, labels });
      const p = await s.parameters();
      await s.release();
      return p;
    };
    const [pa, pb, pm] = [await after(ids(a), false), await after(ids(b), false), await after(mixed, true)];
    let moved = 0;
    for (const name of Object.keys(pm)) {
      const [va, vb, vm] = [pa[name]!.data as Float32Array, pb[name]!.data as Float32Array, pm[name]!.data as Float32Array];
      vm.forEach((v, i) => expect(v).toBeCloseTo(lambda * va[i]! + (1 - lambda) * vb[i]!, 5));
      moved += Math.abs(vm[0]! - va[0]!);
    }
    expect(moved).toBeGreaterThan(0);
    await Promise.all([hard.release(), soft.release()]);
  });

  it('evaluation is unchanged: hard-label cross-entropy and accuracy from class ids, as a session trained on class ids', async () => {
    const hard = await session(0, false);
    const soft = await session(0, true);
    const batches = [{ x, labels: ids(a) }, { x, labels: ids(b) }];
    const [h, s] = [await hard.evaluate(batches), await soft.evaluate(batches)];
    expect(s.accuracy).toBeDefined();
    expect(s).toEqual(h);
    expect((await soft.evaluateBatch({ x, labels: ids(a) })).loss).toBe((await hard.evaluateBatch({ x, labels: ids(a) })).loss);
    await Promise.all([hard.release(), soft.release()]);
  });

  it('without evalLoss the training loss evaluates too (as before)', async () => {
    const s = await TrainSession.create({ model: model(), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd(), lr: 0 }, sample: { x, labels: ids(a) } });
    expect(s.evalModel.graph.input.find((i) => i.name === 'labels')?.type?.tensorType?.elemType).toBe(DataType.INT64);
    await s.release();
  });
});

// TrainSession's blockedConvolutions: on 'cpu' the step's depthwise convolutions run on ORT's NCHWc
// kernels where this CPU has them; the trajectory equals the standard kernels' up to float rounding,
// with a batch size other than the sample's, evaluation and prediction agree, and `false` keeps the
// step standard ONNX.
import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, NCHWC_DOMAIN, tensors, type TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { nchwcBlockSize } from '@anneal/runtime';
import { randn } from '@anneal/testing';
import { TrainSession } from './train-session.js';

/** x [N, 8, 10, 10] -> depthwise 3x3 (pads 1) -> Relu -> depthwise 5x5 stride 2 -> GlobalAveragePool -> Gemm to 3 classes. */
function depthwiseModel() {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 8, 10, 10]);
  const w1 = b.initializer(tensors.float('dw1.weight', [8, 1, 3, 3], randn(72, 1).map((v) => v * 0.4)));
  const b1 = b.initializer(tensors.float('dw1.bias', [8], randn(8, 2).map((v) => v * 0.1)));
  const w2 = b.initializer(tensors.float('dw2.weight', [8, 1, 5, 5], randn(200, 3).map((v) => v * 0.2)));
  const fc = b.initializer(tensors.float('fc.weight', [3, 8], randn(24, 4).map((v) => v * 0.5)));
  const h = b.op('Relu', [b.op('Conv', ['x', w1, b1], { group: 8, pads: [1, 1, 1, 1] })]);
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [b.op('Conv', [h, w2], { group: 8, strides: [2, 2], pads: [2, 2, 2, 2] })])]);
  b.output(b.op('Gemm', [pooled, fc], { transB: 1 }, { output: 'logits' }), DataType.FLOAT, ['N', 3]);
  return b.build();
}

const batch = (n: number, seed: number): Record<string, TensorValue> => ({
  x: { dataType: DataType.FLOAT, dims: [n, 8, 10, 10], data: randn(n * 800, seed) },
  labels: { dataType: DataType.INT64, dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7 + seed) % 3)) },
});

describe('TrainSession blockedConvolutions', () => {
  it('trains the same trajectory on blocked and standard kernels; false keeps standard ONNX', async () => {
    const block = await nchwcBlockSize();
    const sessions = await Promise.all(
      [true, false].map((blockedConvolutions) => TrainSession.create({ model: depthwiseModel(), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.1 }, sample: batch(4, 10), blockedConvolutions, intraOpThreads: 1 })),
    );
    const [blocked, standard] = sessions as [TrainSession, TrainSession];
    const nchwcNodes = (s: TrainSession) => s.trainStep.model.graph.node.filter((n) => n.domain === NCHWC_DOMAIN).length;
    expect(nchwcNodes(standard)).toBe(0);
    if (block) expect(nchwcNodes(blocked)).toBeGreaterThan(0);
    else console.log('this CPU has no NCHWc kernels: both sessions use the standard ones');
    for (let step = 0; step < 5; step++) {
      const feeds = batch(step % 2 ? 6 : 5, 20 + step); // batch sizes other than the sample's
      const [a, b] = [await blocked.step(feeds), await standard.step(feeds)];
      expect(Math.abs(a.loss - b.loss), `step ${step}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(b.loss)));
    }
    const [pa, pb] = [await blocked.parameters(), await standard.parameters()];
    for (const name of Object.keys(pb)) {
      const [x, y] = [pa[name]!.data as Float32Array, pb[name]!.data as Float32Array];
      let diff = 0;
      for (let i = 0; i < y.length; i++) diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
      expect(diff, name).toBeLessThan(1e-5);
    }
    // the evaluation and prediction sessions lower their convolutions too; the public graph stays standard
    const heldOut = [batch(7, 40), batch(3, 41)];
    const [ea, eb] = [await blocked.evaluate(heldOut), await standard.evaluate(heldOut)];
    expect(Math.abs(ea.loss - eb.loss)).toBeLessThan(1e-5 * Math.max(1, eb.loss));
    expect(ea.accuracy).toBe(eb.accuracy);
    const [la, lb] = [await blocked.predict({ x: heldOut[0]!.x! }), await standard.predict({ x: heldOut[0]!.x! })];
    const [ya, yb] = [la.data as Float32Array, lb.data as Float32Array];
    for (let i = 0; i < yb.length; i++) expect(Math.abs(ya[i]! - yb[i]!)).toBeLessThan(1e-5);
    expect(blocked.evalModel.graph.node.some((n) => n.domain === NCHWC_DOMAIN)).toBe(false);
    await Promise.all(sessions.map((s) => s.release()));
  });
});

import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { DataType, GraphBuilder, encodeModel } from '@anneal/onnx';
import { adam, adamw, buildOptimizerStep, emitOptimizerUpdate, hyperparameterFeeds, sgd, zeroState } from './index.js';
import { l2, runTrajectory } from './testing/ort-step-runner.js';

const p0 = [0.5, -1.25, 2, 0.75, -0.1, 3];
const g1 = [0.2, -0.4, 1.5, -0.05, 0.3, -2];
const g2 = [-0.1, 0.6, 0.25, 0.5, -0.7, 1];
const params = [{ name: 'p', dims: [2, 3] }];

function close(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(Math.abs(actual[i]! - e), `index ${i}: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e))));
}

describe('closed-form checks', () => {
  it('plain SGD: one step is p - lr*g', async () => {
    const { outputs } = await runTrajectory({ optimizer: sgd(), lr: 0.1, params }, { p: p0 }, [{ p: g1 }]);
    close(outputs[0]!['new.p']!, p0.map((p, i) => p - 0.1 * g1[i]!));
  });

  it('SGD with weight decay: p - lr*(g + wd*p)', async () => {
    const { outputs } = await runTrajectory({ optimizer: sgd(), lr: 0.1, weightDecay: 0.2, params }, { p: p0 }, [{ p: g1 }]);
    close(outputs[0]!['new.p']!, p0.map((p, i) => p - 0.1 * (g1[i]! + 0.2 * p)));
  });

  it('SGD momentum: the first step initializes the buffer to g (dampening ignored), the second dampens', async () => {
    const { outputs } = await runTrajectory({ optimizer: sgd({ momentum: 0.9, dampening: 0.5 }), lr: 0.1, params }, { p: p0 }, [{ p: g1 }, { p: g2 }]);
    close(outputs[0]!['new.state.momentum_buffer.p']!, g1);
    const buf2 = g1.map((g, i) => 0.9 * g + 0.5 * g2[i]!);
    close(outputs[1]!['new.state.momentum_buffer.p']!, buf2);
    close(outputs[1]!['new.p']!, p0.map((p, i) => p - 0.1 * g1[i]! - 0.1 * buf2[i]!));
  });

  it('Adam: the first step moves every coordinate by about lr * sign(g)', async () => {
    const lr = 0.01;
    const { outputs } = await runTrajectory({ optimizer: adam(), lr, params }, { p: p0 }, [{ p: g1 }]);
    const moved = Array.from(outputs[0]!['new.p']!, (v, i) => v - p0[i]!);
    moved.forEach((d, i) => expect(Math.abs(d + lr * Math.sign(g1[i]!))).toBeLessThan(lr * 1e-3));
  });

  it('AdamW: the first step is p*(1 - lr*wd) - lr*sign(g)', async () => {
    const lr = 0.01;
    const { outputs } = await runTrajectory({ optimizer: adamw(), lr, weightDecay: 0.5, params }, { p: p0 }, [{ p: g1 }]);
    close(outputs[0]!['new.p']!, p0.map((p, i) => p * (1 - lr * 0.5) - lr * Math.sign(g1[i]!)), 1e-5);
  });

  it('AMSGrad keeps the running maximum of exp_avg_sq', async () => {
    const big = g1.map((g) => g * 10);
    const { outputs } = await runTrajectory({ optimizer: adam({ amsgrad: true }), lr: 0.01, params }, { p: p0 }, [{ p: big }, { p: g2 }]);
    const v2 = outputs[1]!['new.state.exp_avg_sq.p']!;
    const vmax = outputs[1]!['new.state.max_exp_avg_sq.p']!;
    const v1 = outputs[0]!['new.state.exp_avg_sq.p']!;
    vmax.forEach((m, i) => expect(m).toBe(Math.max(v1[i]!, v2[i]!)));
  });

  it('clipping: a huge max norm changes nothing, a small one scales the step by max/(norm + 1e-6)', async () => {
    const norm = l2(g1);
    const off = await runTrajectory({ optimizer: sgd(), lr: 0.1, maxGradNorm: Infinity, params }, { p: p0 }, [{ p: g1 }]);
    close(off.outputs[0]!['new.p']!, p0.map((p, i) => p - 0.1 * g1[i]!));
    const on = await runTrajectory({ optimizer: sgd(), lr: 0.1, maxGradNorm: 0.5, params }, { p: p0 }, [{ p: g1 }]);
    const coef = 0.5 / (norm + 1e-6);
    close(on.outputs[0]!['new.p']!, p0.map((p, i) => p - 0.1 * coef * g1[i]!));
    close(on.outputs[0]!['stats.global_grad_norm']!, [norm]);
  });

  it('stats: raw grad norm, OLD weight norm and update norm per parameter, plus the global grad norm', async () => {
    const q0 = [1, 2, 3, 4];
    const gq = [0.5, 0.5, -0.5, 1];
    const { outputs } = await runTrajectory(
      { optimizer: adam(), lr: 0.01, weightDecay: 0.1, maxGradNorm: 0.1, params: [...params, { name: 'q', dims: [4] }] },
      { p: p0, q: q0 },
      [{ p: g1, q: gq }],
    );
    const out = outputs[0]!;
    close(out['stats.grad_norm.p']!, [l2(g1)]);
    close(out['stats.grad_norm.q']!, [l2(gq)]);
    close(out['stats.global_grad_norm']!, [Math.hypot(l2(g1), l2(gq))]);
    close(out['stats.weight_norm.p']!, [l2(p0)]);
    close(out['stats.update_norm.p']!, [l2(Array.from(out['new.p']!, (v, i) => v - p0[i]!))], 1e-5);
    close(out['stats.update_norm.q']!, [l2(Array.from(out['new.q']!, (v, i) => v - q0[i]!))], 1e-5);
  });

  it('changing hp.lr between runs of the same session rescales the step (no recompile)', async () => {
    const config = { optimizer: sgd(), lr: 0.1, params };
    const { model } = buildOptimizerStep(config);
    const session = await ort.InferenceSession.create(encodeModel(model));
    const feeds = (lr: number) => {
      const f: Record<string, ort.Tensor> = { p: new ort.Tensor('float32', Float32Array.from(p0), [2, 3]), 'grad.p': new ort.Tensor('float32', Float32Array.from(g1), [2, 3]) };
      for (const [k, v] of Object.entries(hyperparameterFeeds(config, { step: 1, lr }))) f[k] = new ort.Tensor('float32', Float32Array.of(v), []);
      return f;
    };
    for (const lr of [0.1, 0.02]) {
      const out = await session.run(feeds(lr));
      close(out['new.p']!.data as Float32Array, p0.map((p, i) => p - lr * g1[i]!));
    }
  });

  it('appends to a graph whose gradient is computed in-graph (a train-step shaped use)', async () => {
    // loss = 0.5 * ||w - target||^2  =>  grad = w - target
    const b = new GraphBuilder({ opset: 17 });
    b.input('w', DataType.FLOAT, [3]);
    b.input('target', DataType.FLOAT, [3]);
    const grad = b.op('Sub', ['w', 'target']);
    const update = emitOptimizerUpdate(b, { optimizer: sgd({ momentum: 0.5 }), lr: 0.5, params: [{ name: 'w', grad, dims: [3] }], stats: false });
    const session = await ort.InferenceSession.create(encodeModel(b.build()));
    let w: Float32Array = Float32Array.from([4, -2, 1]);
    let state: Float32Array = zeroState(update)['state.momentum_buffer.w']!.data as Float32Array;
    const target = Float32Array.from([1, 1, 1]);
    for (let step = 1; step <= 40; step++) {
      const f: Record<string, ort.Tensor> = { w: new ort.Tensor('float32', w, [3]), target: new ort.Tensor('float32', target, [3]), 'state.momentum_buffer.w': new ort.Tensor('float32', state, [3]) };
      for (const [k, v] of Object.entries(hyperparameterFeeds({ optimizer: sgd({ momentum: 0.5 }), lr: 0.5, params: [{ name: 'w' }] }, { step }))) f[k] = new ort.Tensor('float32', Float32Array.of(v), []);
      const out = await session.run(f);
      w = out['new.w']!.data as Float32Array;
      state = out['new.state.momentum_buffer.w']!.data as Float32Array;
    }
    close(w, [1, 1, 1], 1e-4);
  });
});

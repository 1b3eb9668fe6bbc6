import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '@anneal/onnx';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32 } from '../test-support.js';

/** Per-channel parameters of a BatchNormalization over C channels (variance kept positive). */
function bnParams(c: number) {
  return {
    scale: { dims: [c], data: values(c, 61, 0.5, 1.5) },
    bias: { dims: [c], data: values(c, 62, -1, 1) },
    mean: { dims: [c], data: values(c, 63, -0.5, 0.5) },
    variance: { dims: [c], data: values(c, 64, 0.5, 1.5) },
  };
}

const inputs = ['x', 'scale', 'bias', 'mean', 'variance'];
/**
 * A training-mode node. ORT 1.30 writes the updated running statistics into the input_mean and
 * input_var buffers in place (fed arrays and initializers alike), so the statistics are passed
 * through a Mul first: then only an intermediate buffer is overwritten and repeated runs agree.
 */
const training = (b: GraphBuilder) => {
  const two = b.scalar(2);
  const stats = [b.op('Mul', ['mean', two]), b.op('Mul', ['variance', two])];
  return b.node('BatchNormalization', ['x', 'scale', 'bias', ...stats], { training_mode: 1, epsilon: 1e-3, momentum: 0.8 }, { outputs: 3 });
};

describe('BatchNormalization gradients (finite differences, float64)', () => {
  for (const xDims of [[3, 4, 3, 2], [5, 3]]) {
    it(`inference mode, X ${JSON.stringify(xDims)}: dX, dScale, dB, dMean, dVar`, async () => {
      const n = xDims.reduce((p, q) => p * q, 1);
      const r = await gradCheckCase({
        inputs: { x: f32(xDims, values(n, 65, -2, 2)) },
        params: bnParams(xDims[1]!),
        build: (b) => b.op('BatchNormalization', inputs, { epsilon: 1e-3 }),
      });
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
    });

    it(`training mode (batch statistics), X ${JSON.stringify(xDims)}: dX, dScale, dB`, async () => {
      const n = xDims.reduce((p, q) => p * q, 1);
      const r = await gradCheckCase({
        inputs: { x: f32(xDims, values(n, 66, -2, 2)) },
        params: bnParams(xDims[1]!),
        build: (b) => training(b)[0]!,
        samplesPerTensor: 40,
      });
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
      // running statistics do not influence Y in training mode
      for (const t of ['mean', 'variance']) expect(Array.from(r.gradients[t]!.data as Float64Array).every((v) => v === 0)).toBe(true);
    });
  }

  it('training mode with the running-statistics outputs feeding the loss', async () => {
    const xDims = [3, 4, 3, 2];
    const r = await gradCheckCase({
      inputs: { x: f32(xDims, values(72, 67, -2, 2)) },
      params: bnParams(4),
      build: (b) => {
        const [y, runningMean, runningVar] = training(b) as [string, string, string];
        const shape = b.ints([4, 1, 1]);
        const stats = b.op('Mul', [b.op('Reshape', [runningMean, shape]), b.op('Reshape', [runningVar, shape])]);
        return b.op('Add', [y, stats]);
      },
      samplesPerTensor: 40,
    });
    expect(r.precision).toBe('double');
    expect(r.maxRelError).toBeLessThan(1e-6);
  });
});

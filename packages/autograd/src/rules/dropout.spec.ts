import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors, tensorValueInfo, type TensorValue } from '@anneal/onnx';
import { buildBackward } from '../backward.js';
import { defaultGradientRegistry } from '../default-registry.js';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { probeShapes } from '../probe-shapes.js';
import { f32, nodeExecutor } from '../test-support.js';

const executor = nodeExecutor();
const dims = [4, 64];
const n = dims[0]! * dims[1]!;
const xs = Float32Array.from(values(n, 31, -2, 2));
const dys = Float32Array.from(values(n, 32, -1, 1));
const xValue = f32(dims, xs);
const dyValue = f32(dims, dys);
const bool = (v: boolean): TensorValue => ({ dataType: DataType.BOOL, dims: [], data: Uint8Array.of(v ? 1 : 0) });

/**
 * Forward y = Dropout(x, ratio, training) with loss = y and seed dY fed as an input, so the
 * backward graph's dX is dY·mask/(1 − ratio); runs forward value, mask and dX in one session run.
 */
async function runTraining(options: { ratio?: number | 'input'; training: 'const' | 'input'; maskRequested?: boolean; feeds?: Record<string, TensorValue> }) {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, dims);
  b.input('dy', DataType.FLOAT, dims);
  const ratio = options.ratio === 'input' ? b.input('ratio', DataType.FLOAT, []) : options.ratio === undefined ? '' : b.scalar(options.ratio);
  const training = options.training === 'input' ? b.input('training', DataType.BOOL, []) : b.initializer(tensors.bool('training', [], [true]));
  const outputs = b.node('Dropout', ['x', ratio, training], {}, { outputs: options.maskRequested ? ['y', 'user_mask'] : ['y'] });
  const model = b.build();
  const feeds = { x: xValue, dy: dyValue, ...options.feeds };
  const shapes = await probeShapes(model, feeds, executor);
  const bw = buildBackward(model, { loss: outputs[0]!, wrt: ['x'], shapes, registry: defaultGradientRegistry(), seed: 'dy' });
  const node = bw.model.graph.node.find((nd) => nd.opType === 'Dropout')!;
  const mask = node.output[1];
  const grad = bw.gradients.x!;
  bw.model.graph.output = [tensorValueInfo('y', DataType.FLOAT), tensorValueInfo(grad, DataType.FLOAT)];
  if (mask) bw.model.graph.output.push(tensorValueInfo(mask, DataType.BOOL));
  const out = await executor.run(bw.model, feeds);
  return { y: out.y!.data as Float32Array, dx: out[grad]!.data as Float32Array, mask: mask ? (out[mask]!.data as Uint8Array) : undefined, maskName: mask };
}

describe('Dropout gradients', () => {
  it('inference mode (training_mode absent or constant false) is the identity (double, maxRelError < 1e-6)', async () => {
    const r = await gradCheckCase({
      inputs: { x: f32([3, 4], values(12, 3)) },
      build: (b) => {
        const a = b.op('Dropout', ['x']);
        return b.op('Dropout', [b.op('Mul', [a, a]), b.scalar(0.3), b.initializer(tensors.bool('off', [], [false]))]);
      },
    });
    expect(r.precision).toBe('double');
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  for (const ratio of [0.5, 0.2, undefined]) {
    it(`training mode, ratio ${ratio ?? 'default 0.5'}: dX = dY·mask/(1 − ratio) exactly (float32 bits), with the same mask as the forward value`, async () => {
      const { y, dx, mask } = await runTraining({ ratio, training: 'const' });
      const keepRate = Math.fround(1 - Math.fround(ratio ?? 0.5));
      expect(mask).toBeDefined();
      let dropped = 0;
      for (let i = 0; i < n; i++) {
        const m = mask![i]!;
        dropped += 1 - m;
        expect(y[i]! + 0).toBe(m ? Math.fround(xs[i]! / keepRate) : 0); // + 0: −0 and 0 are equal
        expect(dx[i]! + 0).toBe(m ? Math.fround(dys[i]! / keepRate) : 0);
      }
      // the mask is a real random draw, not all-kept
      expect(dropped).toBeGreaterThan(n * (ratio ?? 0.5) * 0.5);
      expect(dropped).toBeLessThan(n * (ratio ?? 0.5) * 1.5);
    });
  }

  it('training mode reuses a mask output the model already declares', async () => {
    const { dx, mask, maskName } = await runTraining({ ratio: 0.5, training: 'const', maskRequested: true });
    expect(maskName).toBe('user_mask');
    for (let i = 0; i < n; i++) expect(dx[i]! + 0).toBe(mask![i] ? Math.fround(dys[i]! * 2) : 0);
  });

  for (const on of [true, false]) {
    it(`training_mode and ratio as run-time inputs (training=${on}) select dY·mask/(1 − ratio) or dY`, async () => {
      const { y, dx, mask } = await runTraining({ ratio: 'input', training: 'input', feeds: { ratio: f32([], [0.25]), training: bool(on) } });
      for (let i = 0; i < n; i++) {
        const keep = on ? mask![i]! : 1;
        const s = on ? 1 / 0.75 : 1;
        expect(y[i]).toBeCloseTo(keep * xs[i]! * s, 5);
        expect(dx[i]).toBeCloseTo(keep * dys[i]! * s, 5);
      }
    });
  }
});

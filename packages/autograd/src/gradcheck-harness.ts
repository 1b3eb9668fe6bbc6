// Spec helper (not exported): build a one-op-family graph with a scalar loss and gradient-check it.
import { DataType, GraphBuilder, tensors, tensorValueInfo, type TensorValue } from '@anneal/onnx';
import { buildBackward } from './backward.js';
import { probeShapes } from './probe-shapes.js';
import { modelToDouble, valueToDouble } from './to-double.js';
import { checkGradients, type GradCheckResult } from './gradcheck.js';
import { defaultGradientRegistry } from './default-registry.js';
import { nodeExecutor } from './test-support.js';

const executor = nodeExecutor();

/** A deterministic pseudo-random float array in [lo, hi). */
export function values(n: number, seed: number, lo = -1, hi = 1): number[] {
  let a = seed >>> 0;
  return Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return lo + ((a >>> 8) / 16777216) * (hi - lo);
  });
}

export interface OpCase {
  /** Float tensors: params are initializers differentiated; inputs are fed and also differentiated. */
  params?: Record<string, { dims: number[]; data?: number[] }>;
  inputs?: Record<string, TensorValue>;
  /** Builds the forward graph from the param/input names; returns the tensor whose weighted sum is the loss. */
  build(b: GraphBuilder): string;
  wrt?: string[];
  opset?: number;
  precision?: 'double' | 'float';
  samplesPerTensor?: number;
  seed?: number;
}

/**
 * loss = ReduceSum(out · R) with a fixed R = sin(0.7·k + 0.5) of out's shape (so every output element gets a
 * distinct weight), then checks d loss / d (params and float inputs) against finite differences.
 */
export async function gradCheckCase(c: OpCase): Promise<GradCheckResult> {
  const b = new GraphBuilder({ opset: c.opset ?? 17 });
  let seed = c.seed ?? 11;
  for (const [name, v] of Object.entries(c.inputs ?? {})) b.input(name, v.dataType, v.dims);
  for (const [name, p] of Object.entries(c.params ?? {})) {
    const n = p.dims.reduce((x, y) => x * y, 1);
    b.initializer(tensors.float(name, p.dims, p.data ?? values(n, seed++)));
  }
  const out = c.build(b);
  // deterministic weights sin(0.7·k + 0.5) over the flattened output (random ops are not reproducible
  // in ORT); never 0 at k = 0, so a scalar output is weighted too
  const shape = b.op('Shape', [out]);
  const size = b.op('ReduceProd', [shape], { keepdims: 0 });
  const ramp = b.op('Cast', [b.op('Range', [b.scalar(0, DataType.INT64), size, b.scalar(1, DataType.INT64)])], { to: DataType.FLOAT });
  const w = b.op('Sin', [b.op('Add', [b.op('Mul', [ramp, b.scalar(0.7)]), b.scalar(0.5)])]);
  const wShaped = b.op('Reshape', [w, shape]);
  const loss = b.op('ReduceSum', [b.op('Mul', [out, wShaped])], { keepdims: 0 }, { output: 'loss' });
  b.output(loss, DataType.FLOAT, []);
  const floatInputs = Object.entries(c.inputs ?? {}).filter(([, v]) => v.dataType === DataType.FLOAT).map(([k]) => k);
  const result = await checkGradients({
    model: b.build(),
    loss,
    wrt: c.wrt ?? [...Object.keys(c.params ?? {}), ...floatInputs],
    feeds: c.inputs ?? {},
    executor,
    registry: defaultGradientRegistry(),
    precision: c.precision,
    samplesPerTensor: c.samplesPerTensor ?? 30,
  });
  // a check where every gradient is zero proves nothing (e.g. a loss weighted by 0): refuse it
  const nonZero = Object.values(result.gradients).some((g) => Array.from(g.data as Float64Array).some((v) => v !== 0));
  if (!nonZero) throw new Error('gradCheckCase: every analytic gradient is exactly zero, so the check is vacuous; change the case');
  return result;
}

/**
 * Probes and differentiates a graph with one batch size, then runs it with another and compares
 * d loss / d x (loss = Σ ReduceSumSquare(outputs)) with central differences at the new size.
 */
export async function dynamicBatchError(build: (b: GraphBuilder) => string[], probe: Record<string, TensorValue>, run: Record<string, TensorValue>): Promise<number> {
  const b = new GraphBuilder({ opset: 17 });
  for (const [k, v] of Object.entries(probe)) b.input(k, v.dataType, v.dims.map((d, i) => (i === 0 ? 'N' : d)));
  const loss = b.op('Sum', build(b).map((t) => b.op('ReduceSumSquare', [t], { keepdims: 0 })), {}, { output: 'loss' });
  b.output(loss, DataType.FLOAT, []);
  const model = modelToDouble(b.build());
  const dbl = (f: Record<string, TensorValue>) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, valueToDouble(v)]));
  const bw = buildBackward(model, { loss, wrt: ['x'], shapes: await probeShapes(model, dbl(probe), executor), registry: defaultGradientRegistry() });
  bw.model.graph.output = [tensorValueInfo(bw.gradients.x!, DataType.DOUBLE)];
  const feeds = dbl(run);
  const g = (await executor.run(bw.model, feeds))[bw.gradients.x!]!.data as Float64Array;
  const x = feeds.x!.data as Float64Array;
  let err = 0;
  for (let i = 0; i < x.length; i++) {
    const at = async (d: number) => {
      const data = x.slice();
      data[i]! += d;
      return Number((await executor.run(model, { ...feeds, x: { ...feeds.x!, data } }, ['loss'])).loss!.data[0]);
    };
    const numeric = ((await at(1e-6)) - (await at(-1e-6))) / 2e-6;
    err = Math.max(err, Math.abs(numeric - g[i]!) / Math.max(Math.abs(numeric), Math.abs(g[i]!), 1e-7));
  }
  return err;
}
